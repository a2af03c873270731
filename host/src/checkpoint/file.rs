//! Reading and atomically writing checkpoint files.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use safetensors::tensor::{Dtype, SafeTensors, View};
use tch::{Device, Kind, Tensor};

use super::error::CheckpointError;

/// The checkpoint's file name inside a run folder.
pub const FILE_NAME: &str = "checkpoint.safetensors";

/// The metadata key holding the JSON state.
const STATE_KEY: &str = "darts.state";

/// A checkpoint as read from disk: named tensors on the CPU and the JSON state.
#[derive(Debug)]
pub struct CheckpointFile {
    /// The file it came from.
    pub path: PathBuf,
    /// Every tensor by name.
    pub tensors: HashMap<String, Tensor>,
    /// The JSON state stored beside them.
    pub state: String,
}

impl CheckpointFile {
    /// The tensor `name`, or a [`CheckpointError::Corrupt`] naming it.
    pub fn tensor(&self, name: &str) -> Result<&Tensor, CheckpointError> {
        self.tensors.get(name).ok_or_else(|| CheckpointError::Corrupt {
            path: self.path.display().to_string(),
            message: format!("the tensor `{name}` is missing"),
        })
    }
}

/// A tensor's bytes as safetensors wants them: little-endian, contiguous, on the CPU.
struct Bytes {
    dtype: Dtype,
    shape: Vec<usize>,
    data: Vec<u8>,
}

impl View for &Bytes {
    fn dtype(&self) -> Dtype {
        self.dtype
    }

    fn shape(&self) -> &[usize] {
        &self.shape
    }

    fn data(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.data)
    }

    fn data_len(&self) -> usize {
        self.data.len()
    }
}

fn dtype_of(kind: Kind) -> Option<Dtype> {
    Some(match kind {
        Kind::Float => Dtype::F32,
        Kind::Double => Dtype::F64,
        Kind::Half => Dtype::F16,
        Kind::BFloat16 => Dtype::BF16,
        Kind::Int64 => Dtype::I64,
        Kind::Int => Dtype::I32,
        Kind::Uint8 => Dtype::U8,
        Kind::Bool => Dtype::BOOL,
        _ => return None,
    })
}

fn kind_of(dtype: Dtype) -> Option<Kind> {
    Some(match dtype {
        Dtype::F32 => Kind::Float,
        Dtype::F64 => Kind::Double,
        Dtype::F16 => Kind::Half,
        Dtype::BF16 => Kind::BFloat16,
        Dtype::I64 => Kind::Int64,
        Dtype::I32 => Kind::Int,
        Dtype::U8 => Kind::Uint8,
        Dtype::BOOL => Kind::Bool,
        _ => return None,
    })
}

fn bytes_of(tensor: &Tensor) -> io::Result<Bytes> {
    let kind = tensor.kind();
    let dtype = dtype_of(kind)
        .ok_or_else(|| io::Error::other(format!("tensors of kind {kind:?} cannot be saved")))?;
    let cpu = tensor.to_device(Device::Cpu).contiguous();
    let numel = cpu.numel();
    let mut data = vec![0u8; numel * kind.elt_size_in_bytes()];
    cpu.copy_data_u8(&mut data, numel);
    let shape = cpu.size().iter().map(|&d| d as usize).collect();
    Ok(Bytes { dtype, shape, data })
}

/// Writes `tensors` and `state` to `path` atomically: into `path` + `.tmp`, flushed to disk,
/// then renamed over `path`, and the folder flushed so the rename survives a power cut.
/// Until the rename the previous file at `path` is untouched.
pub fn write(path: &Path, tensors: &[(String, Tensor)], state: &str) -> io::Result<()> {
    let bytes: Vec<(String, Bytes)> = tensors
        .iter()
        .map(|(name, tensor)| Ok((name.clone(), bytes_of(tensor)?)))
        .collect::<io::Result<_>>()?;
    let metadata = Some(HashMap::from([(STATE_KEY.to_owned(), state.to_owned())]));
    let serialized =
        safetensors::tensor::serialize(bytes.iter().map(|(n, b)| (n.as_str(), b)), &metadata)
            .map_err(|err| io::Error::other(err.to_string()))?;

    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    let mut file = File::create(&temporary)?;
    file.write_all(&serialized)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&temporary, path)?;
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        File::open(folder)?.sync_all()?;
    }
    Ok(())
}

/// Reads the checkpoint at `path`; a missing file, a truncated or foreign file and a
/// tensor of an unknown type are errors naming the file.
pub fn read(path: &Path) -> Result<CheckpointFile, CheckpointError> {
    let shown = path.display().to_string();
    let corrupt = |message: String| CheckpointError::Corrupt { path: shown.clone(), message };
    let buffer =
        fs::read(path).map_err(|source| CheckpointError::Read { path: shown.clone(), source })?;
    let (_, metadata) =
        SafeTensors::read_metadata(&buffer).map_err(|err| corrupt(format!("{err:?}")))?;
    let state = metadata
        .metadata()
        .as_ref()
        .and_then(|m| m.get(STATE_KEY))
        .cloned()
        .ok_or_else(|| corrupt("it has no darts state; it is not a darts checkpoint".into()))?;
    let parsed = SafeTensors::deserialize(&buffer).map_err(|err| corrupt(format!("{err:?}")))?;
    let mut tensors = HashMap::new();
    for (name, view) in parsed.tensors() {
        let kind = kind_of(view.dtype())
            .ok_or_else(|| corrupt(format!("tensor `{name}` has type {:?}", view.dtype())))?;
        let shape: Vec<i64> = view.shape().iter().map(|&d| d as i64).collect();
        let tensor = Tensor::f_from_data_size(view.data(), &shape, kind)
            .map_err(|err| corrupt(format!("tensor `{name}`: {err}")))?;
        tensors.insert(name, tensor);
    }
    Ok(CheckpointFile { path: path.to_path_buf(), tensors, state })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tensors_and_state_round_trip_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let weights = Tensor::randn([3, 4], (Kind::Float, Device::Cpu));
        let steps = Tensor::from_slice(&[7i64, -2]);
        let double = Tensor::randn([2], (Kind::Double, Device::Cpu));
        let tensors =
            vec![("w".into(), weights.copy()), ("s".into(), steps.copy()), ("d".into(), double)];
        write(&path, &tensors, "{\"epoch\":3}").unwrap();
        let back = read(&path).unwrap();
        assert_eq!(back.state, "{\"epoch\":3}");
        assert!(back.tensor("w").unwrap().equal(&weights));
        assert!(back.tensor("s").unwrap().equal(&steps));
        assert_eq!(back.tensor("d").unwrap().kind(), Kind::Double);
        assert!(back.tensor("missing").is_err());
        assert!(!dir.path().join("checkpoint.safetensors.tmp").exists());
    }

    #[test]
    fn a_truncated_file_is_refused_and_a_stale_temporary_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        write(&path, &[("w".into(), Tensor::ones([8], (Kind::Float, Device::Cpu)))], "{}").unwrap();
        let bytes = fs::read(&path).unwrap();
        // A crash in the middle of a write leaves a partial temporary file; the next write
        // replaces it, and reading goes to the complete file.
        fs::write(dir.path().join("checkpoint.safetensors.tmp"), &bytes[..bytes.len() / 2])
            .unwrap();
        assert_eq!(read(&path).unwrap().state, "{}");
        let truncated = dir.path().join("truncated.safetensors");
        fs::write(&truncated, &bytes[..bytes.len() - 5]).unwrap();
        let err = read(&truncated).unwrap_err();
        assert!(matches!(err, CheckpointError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("truncated.safetensors"), "{err}");
    }
}
