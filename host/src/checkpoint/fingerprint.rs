//! What a checkpoint was written by, so that a resume with other settings is refused.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The facts that fix a run's results: its settings, the plugins its network uses and the
/// data. Two runs with equal fingerprints compute the same numbers from the same
/// checkpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Fingerprint {
    entries: BTreeMap<String, Value>,
}

impl Fingerprint {
    /// An empty fingerprint.
    pub fn new() -> Self {
        Fingerprint::default()
    }

    /// Adds every top-level field of `config` (a struct serialized as a map) as
    /// `config.<field>`, except those in `ignored`: settings such as the checkpoint
    /// interval that do not change what the run computes.
    pub fn config(mut self, config: &impl Serialize, ignored: &[&str]) -> Self {
        if let Ok(Value::Object(fields)) = serde_json::to_value(config) {
            for (key, value) in fields {
                if !ignored.contains(&key.as_str()) {
                    self.entries.insert(format!("config.{key}"), value);
                }
            }
        }
        self
    }

    /// Adds one fact.
    pub fn with(mut self, key: impl Into<String>, value: impl Serialize) -> Self {
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        self.entries.insert(key.into(), value);
        self
    }

    /// One sentence per fact that differs between the checkpoint's fingerprint (`self`) and
    /// the current run's; empty when they agree.
    pub fn differences(&self, now: &Fingerprint) -> Vec<String> {
        let mut keys: Vec<&String> = self.entries.keys().chain(now.entries.keys()).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter_map(|key| {
                let (then, here) = (self.entries.get(key), now.entries.get(key));
                if then == here {
                    return None;
                }
                let show = |value: Option<&Value>| match value {
                    None => "absent".to_owned(),
                    Some(Value::String(text)) => format!("`{text}`"),
                    Some(other) => other.to_string(),
                };
                Some(format!(
                    "{} is {} in the checkpoint but {} now",
                    describe(key),
                    show(then),
                    show(here)
                ))
            })
            .collect()
    }
}

/// A fingerprint key as the user knows it: `config.epochs` is the setting `epochs`.
fn describe(key: &str) -> String {
    match key.split_once('.') {
        Some(("config", name)) => format!("the setting `{name}`"),
        Some(("plugin", name)) => format!("the version of plugin `{name}`"),
        Some(("data", what)) => format!("the data set's {what}"),
        _ => format!("the {key}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Settings {
        epochs: usize,
        lr: f64,
        checkpoint_every: usize,
    }

    #[test]
    fn differences_name_each_changed_setting_and_skip_ignored_ones() {
        let then = Fingerprint::new()
            .config(&Settings { epochs: 10, lr: 0.1, checkpoint_every: 0 }, &["checkpoint_every"])
            .with("plugin.conv2d", "0.1.0")
            .with("data.sha256", "abc");
        let same = Fingerprint::new()
            .config(&Settings { epochs: 10, lr: 0.1, checkpoint_every: 5 }, &["checkpoint_every"])
            .with("plugin.conv2d", "0.1.0")
            .with("data.sha256", "abc");
        assert!(then.differences(&same).is_empty());

        let other = Fingerprint::new()
            .config(&Settings { epochs: 12, lr: 0.1, checkpoint_every: 0 }, &["checkpoint_every"])
            .with("plugin.conv1d", "0.1.0")
            .with("data.sha256", "abd");
        let differences = then.differences(&other);
        assert_eq!(differences.len(), 4, "{differences:?}");
        let text = differences.join("; ");
        assert!(text.contains("the setting `epochs` is 10 in the checkpoint but 12 now"), "{text}");
        assert!(text.contains("plugin `conv2d` is `0.1.0` in the checkpoint but absent"), "{text}");
        assert!(text.contains("plugin `conv1d` is absent in the checkpoint"), "{text}");
        assert!(text.contains("the data set's sha256"), "{text}");
    }
}
