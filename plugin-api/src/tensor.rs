//! An owned libtorch tensor that can cross the plugin boundary without a copy.

use std::ffi::c_void;
use std::ptr::NonNull;

use abi_stable::StableAbi;
use tch::Tensor;

/// An owned reference to a libtorch tensor, passed by value between host and plugin.
///
/// Moving an `RTensor` moves one reference count of the underlying `at::Tensor`; the data
/// is never copied. Whichever side drops the handle releases that reference.
///
/// ABI: a single non-null pointer to a heap-allocated `at::Tensor`, the object that tch's
/// C glue creates and frees. Host and plugin must load the same `libtorch_cpu.so`; they do
/// when both link it dynamically, which the build of every darts crate does.
#[repr(C)]
#[derive(StableAbi)]
pub struct RTensor {
    ptr: NonNull<c_void>,
}

impl RTensor {
    /// Wraps a tensor, taking over its reference.
    pub fn new(mut tensor: Tensor) -> Self {
        let raw = tensor.as_mut_ptr().cast::<c_void>();
        // The reference now belongs to the handle: release nothing when `tensor` goes.
        std::mem::forget(tensor);
        let ptr = NonNull::new(raw).expect("tch never hands out a null tensor pointer");
        RTensor { ptr }
    }

    /// Unwraps the handle into a tensor that owns the reference.
    pub fn into_tensor(self) -> Tensor {
        let raw = self.ptr.as_ptr();
        std::mem::forget(self);
        // SAFETY: `raw` came from `Tensor::as_mut_ptr` in `RTensor::new`, and the reference
        // it stands for was leaked there and has not been released since: `self` was the
        // only owner and was just forgotten, so exactly one `Tensor` takes it over here.
        unsafe { Tensor::from_ptr(raw.cast()) }
    }

    /// A new reference to the same tensor, leaving this handle intact.
    pub fn to_tensor(&self) -> Tensor {
        // SAFETY: the handle owns a live reference for as long as it exists, so the pointer
        // is valid here; `clone_from_ptr` adds a reference rather than taking this one.
        unsafe { Tensor::clone_from_ptr(self.ptr.as_ptr().cast()) }
    }
}

impl From<Tensor> for RTensor {
    fn from(tensor: Tensor) -> Self {
        RTensor::new(tensor)
    }
}

impl Drop for RTensor {
    fn drop(&mut self) {
        // SAFETY: as in `into_tensor`: the handle holds exactly one reference, and drop runs
        // once, so rebuilding a `Tensor` to release it frees nothing twice.
        drop(unsafe { Tensor::from_ptr(self.ptr.as_ptr().cast()) });
    }
}

impl std::fmt::Debug for RTensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tensor = self.to_tensor();
        f.debug_struct("RTensor")
            .field("size", &tensor.size())
            .field("kind", &tensor.kind())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::RTensor;
    use tch::{Device, Kind, Tensor};

    #[test]
    fn round_trip_keeps_the_same_storage() {
        let tensor = Tensor::arange(6, (Kind::Float, Device::Cpu));
        let address = tensor.data_ptr();
        let handle = RTensor::new(tensor.shallow_clone());
        let copy = handle.to_tensor();
        let back = handle.into_tensor();
        assert_eq!(back.data_ptr(), address);
        assert_eq!(copy.data_ptr(), address);
        // Writes through one reference are seen through the others: nothing was copied.
        let _ = back.get(0).fill_(42.0);
        assert_eq!(tensor.double_value(&[0]), 42.0);
    }

    #[test]
    fn dropping_a_handle_releases_only_its_reference() {
        let tensor = Tensor::ones([3], (Kind::Float, Device::Cpu));
        drop(RTensor::new(tensor.shallow_clone()));
        assert_eq!(tensor.sum(Kind::Float).double_value(&[]), 3.0);
    }
}
