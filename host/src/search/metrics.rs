//! Measuring a network on a data set: loss and per-task metrics.

use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

use super::batches::{batch_indices, gather};
use super::objective::{HeadKind, Objective};
use crate::data::Dataset;
use crate::plugins::Result;

/// The metrics of one task over a data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskMetrics {
    /// The task's name.
    pub task: String,
    /// The mean loss of this head.
    pub loss: f64,
    /// Top-1 accuracy, for classification.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<f64>,
    /// Top-5 accuracy, for classification with more than 5 classes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top5: Option<f64>,
    /// Mean squared error, for regression.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mse: Option<f64>,
    /// Mean absolute error, for regression.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mae: Option<f64>,
    /// Coefficient of determination, for regression.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r2: Option<f64>,
}

/// The loss and metrics of a network over a data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The objective's weighted loss, averaged over examples.
    pub loss: f64,
    /// One entry per task.
    pub tasks: Vec<TaskMetrics>,
}

impl Evaluation {
    /// The number that says how good the network is, higher better: the first task's
    /// accuracy, or minus its MSE for regression.
    pub fn score(&self) -> f64 {
        match self.tasks.first() {
            Some(TaskMetrics { accuracy: Some(accuracy), .. }) => *accuracy,
            Some(TaskMetrics { mse: Some(mse), .. }) => -mse,
            _ => -self.loss,
        }
    }

    /// One line for the log: `loss 0.412 digit acc 0.913`.
    pub fn summary(&self) -> String {
        let mut parts = vec![format!("loss {:.4}", self.loss)];
        for task in &self.tasks {
            if let Some(accuracy) = task.accuracy {
                parts.push(format!("{} acc {:.4}", task.task, accuracy));
            }
            if let Some(mse) = task.mse {
                parts.push(format!("{} mse {:.4}", task.task, mse));
            }
        }
        parts.join(" ")
    }
}

/// Sums that make a [`TaskMetrics`] over several batches.
#[derive(Debug, Default, Clone)]
struct Totals {
    count: f64,
    loss: f64,
    correct: f64,
    correct5: f64,
    squared: f64,
    absolute: f64,
    target_sum: f64,
    target_squares: f64,
}

/// Runs `forward` in evaluation mode without gradients over `data` in batches of
/// `batch_size` on `device`, and measures every head.
pub fn evaluate(
    forward: impl Fn(&Tensor) -> Result<Vec<Tensor>>,
    data: &Dataset,
    objective: &Objective,
    batch_size: usize,
    device: Device,
) -> Result<Evaluation> {
    let mut totals = vec![Totals::default(); objective.heads.len()];
    for indices in batch_indices(data.len(), batch_size, None) {
        let batch = gather(data, &indices, device);
        let outputs = tch::no_grad(|| forward(&batch.inputs))?;
        tch::no_grad(|| {
            for (head, ((output, target), total)) in
                outputs.iter().zip(&batch.targets).zip(&mut totals).enumerate()
            {
                accumulate(objective, head, output, target, total);
            }
        });
    }
    Ok(finish(objective, data, &totals))
}

fn accumulate(
    objective: &Objective,
    head: usize,
    output: &Tensor,
    target: &Tensor,
    total: &mut Totals,
) {
    let n = target.size()[0] as f64;
    total.count += n;
    total.loss += objective.head_loss(head, output, target).double_value(&[]) * n;
    match objective.heads[head] {
        HeadKind::Classification { classes } => {
            let predicted = output.argmax(-1, false);
            total.correct += predicted.eq_tensor(target).sum(Kind::Double).double_value(&[]);
            if classes > 5 {
                let (_, top) = output.topk(5, -1, true, true);
                let hit = top.eq_tensor(&target.unsqueeze(-1)).any_dim(-1, false);
                total.correct5 += hit.sum(Kind::Double).double_value(&[]);
            }
        }
        HeadKind::Regression => {
            let prediction = output.squeeze_dim(-1).to_kind(Kind::Double);
            let target = target.to_kind(Kind::Double);
            let error = &prediction - &target;
            total.squared += error.square().sum(Kind::Double).double_value(&[]);
            total.absolute += error.abs().sum(Kind::Double).double_value(&[]);
            total.target_sum += target.sum(Kind::Double).double_value(&[]);
            total.target_squares += target.square().sum(Kind::Double).double_value(&[]);
        }
    }
}

fn finish(objective: &Objective, data: &Dataset, totals: &[Totals]) -> Evaluation {
    let mut loss = 0.0;
    let tasks = totals
        .iter()
        .enumerate()
        .map(|(head, t)| {
            let n = t.count.max(1.0);
            loss += objective.weights[head] * t.loss / n;
            let task =
                data.tasks.get(head).map_or_else(|| format!("task{head}"), |t| t.name.clone());
            let mut metrics = TaskMetrics {
                task,
                loss: t.loss / n,
                accuracy: None,
                top5: None,
                mse: None,
                mae: None,
                r2: None,
            };
            match objective.heads[head] {
                HeadKind::Classification { classes } => {
                    metrics.accuracy = Some(t.correct / n);
                    metrics.top5 = (classes > 5).then(|| t.correct5 / n);
                }
                HeadKind::Regression => {
                    metrics.mse = Some(t.squared / n);
                    metrics.mae = Some(t.absolute / n);
                    let variance = t.target_squares - t.target_sum * t.target_sum / n;
                    metrics.r2 = (variance > 0.0).then(|| 1.0 - t.squared / variance);
                }
            }
            metrics
        })
        .collect();
    Evaluation { loss, tasks }
}
