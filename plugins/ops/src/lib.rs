//! The building blocks of the DARTS primitives, shared by the `conv1d` and `conv2d` plugins
//! and written once for any number of spatial axes (`dims`: 1 for sequences, 2 for images).
//!
//! Each block creates its variables under the same names as the DARTS reference code's
//! PyTorch modules (`op.1.weight`, `op.3.running_mean`, ...), so that weights move between
//! the two without renaming, and initialises them as PyTorch does. Inputs are
//! `[batch, channels, *spatial]`.

mod blocks;
mod layers;

pub use blocks::{dil_conv, factorized_reduce, relu_conv_bn, sep_conv, skip_connect};
pub use layers::{batch_norm, conv, Conv, ConvSpec, Identity, Pool, PoolKind, Zero};
