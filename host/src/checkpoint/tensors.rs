//! Naming the tensors of a run's state for a checkpoint, and putting them back.

use tch::{nn, Tensor};

use super::error::CheckpointError;
use super::file::CheckpointFile;
use crate::optim::{Adam, AdamState, Sgd};

/// Every variable of `store` (weights and BatchNorm statistics) as `store/<name>`.
pub fn store_entries(store: &nn::VarStore) -> Vec<(String, Tensor)> {
    let mut entries: Vec<(String, Tensor)> = store
        .variables()
        .into_iter()
        .map(|(name, tensor)| (format!("store/{name}"), tensor))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries
}

/// `tensors` as `<prefix>/<index>`.
pub fn list_entries(prefix: &str, tensors: &[Tensor]) -> Vec<(String, Tensor)> {
    tensors.iter().enumerate().map(|(i, t)| (format!("{prefix}/{i}"), t.shallow_clone())).collect()
}

/// The momentum buffers of `sgd` that exist, as `sgd/<index>`.
pub fn sgd_entries(sgd: &Sgd) -> Vec<(String, Tensor)> {
    sgd.buffers()
        .iter()
        .enumerate()
        .filter_map(|(i, b)| b.as_ref().map(|b| (format!("sgd/{i}"), b.shallow_clone())))
        .collect()
}

/// The moments of `adam` as `adam/first/<index>` and `adam/second/<index>`.
pub fn adam_entries(adam: &Adam) -> Vec<(String, Tensor)> {
    let state = adam.state();
    let mut entries = list_entries("adam/first", &state.first);
    entries.extend(list_entries("adam/second", &state.second));
    entries
}

/// Copies the checkpoint's `store/<name>` tensors into `store`'s variables.
pub fn restore_store(store: &nn::VarStore, file: &CheckpointFile) -> Result<(), CheckpointError> {
    for (name, variable) in store.variables() {
        copy_into(file, &format!("store/{name}"), &variable)?;
    }
    Ok(())
}

/// Copies the checkpoint's `<prefix>/<index>` tensors into `tensors`.
pub fn restore_list(
    prefix: &str,
    tensors: &[Tensor],
    file: &CheckpointFile,
) -> Result<(), CheckpointError> {
    for (i, tensor) in tensors.iter().enumerate() {
        copy_into(file, &format!("{prefix}/{i}"), tensor)?;
    }
    Ok(())
}

/// Gives `sgd` the checkpoint's momentum buffers (none for a parameter without one).
pub fn restore_sgd(sgd: &mut Sgd, file: &CheckpointFile) -> Result<(), CheckpointError> {
    let mut buffers = Vec::with_capacity(sgd.parameters().len());
    for (i, parameter) in sgd.parameters().iter().enumerate() {
        let buffer = match file.tensors.get(&format!("sgd/{i}")) {
            Some(saved) => {
                check_shape(file, &format!("sgd/{i}"), saved, parameter)?;
                Some(saved.to_device(parameter.device()))
            }
            None => None,
        };
        buffers.push(buffer);
    }
    sgd.set_buffers(buffers);
    Ok(())
}

/// Gives `adam` the checkpoint's moments and `steps`.
pub fn restore_adam(
    adam: &mut Adam,
    file: &CheckpointFile,
    steps: i64,
) -> Result<(), CheckpointError> {
    let current = adam.state();
    let load = |prefix: &str, like: &[Tensor]| -> Result<Vec<Tensor>, CheckpointError> {
        like.iter()
            .enumerate()
            .map(|(i, t)| {
                let name = format!("{prefix}/{i}");
                let saved = file.tensor(&name)?;
                check_shape(file, &name, saved, t)?;
                Ok(saved.to_device(t.device()))
            })
            .collect()
    };
    let first = load("adam/first", &current.first)?;
    let second = load("adam/second", &current.second)?;
    adam.set_state(AdamState { first, second, steps });
    Ok(())
}

fn copy_into(file: &CheckpointFile, name: &str, target: &Tensor) -> Result<(), CheckpointError> {
    let saved = file.tensor(name)?;
    check_shape(file, name, saved, target)?;
    tch::no_grad(|| target.shallow_clone().copy_(saved));
    Ok(())
}

fn check_shape(
    file: &CheckpointFile,
    name: &str,
    saved: &Tensor,
    target: &Tensor,
) -> Result<(), CheckpointError> {
    if saved.size() == target.size() && saved.kind() == target.kind() {
        return Ok(());
    }
    Err(CheckpointError::Corrupt {
        path: file.path.display().to_string(),
        message: format!(
            "tensor `{name}` is {:?} {:?} there but the network needs {:?} {:?}",
            saved.kind(),
            saved.size(),
            target.kind(),
            target.size()
        ),
    })
}
