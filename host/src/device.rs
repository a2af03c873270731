//! Choosing where tensors live, and saying why.

use tch::{Cuda, Device};

use crate::search::DeviceChoice;

/// The device `choice` resolves to on this machine, with the reason in words for the log.
///
/// `auto` takes CUDA device 0 when libtorch sees a GPU, else the CPU; `cuda` without a GPU
/// is an error naming what to do.
pub fn pick_device(choice: DeviceChoice) -> Result<(Device, String), String> {
    let gpus = Cuda::device_count();
    match choice {
        DeviceChoice::Cpu => Ok((Device::Cpu, "the CPU, as asked".to_owned())),
        DeviceChoice::Cuda if gpus > 0 => {
            Ok((Device::Cuda(0), format!("CUDA device 0 of {gpus}, as asked")))
        }
        DeviceChoice::Cuda => Err("--device cuda was asked, but libtorch sees no CUDA device; \
             use --device cpu, or build with DARTS_TORCH=cuda on a machine with a GPU"
            .to_owned()),
        DeviceChoice::Auto if gpus > 0 => {
            Ok((Device::Cuda(0), format!("CUDA device 0 of {gpus}, found by --device auto")))
        }
        DeviceChoice::Auto => Ok((
            Device::Cpu,
            format!("the CPU ({} thread(s)): libtorch sees no CUDA device", tch::get_num_threads()),
        )),
    }
}
