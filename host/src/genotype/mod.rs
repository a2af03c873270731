//! Genotypes: the discrete architecture a search keeps, derived from the alphas.
//!
//! [`derive_cell`] turns one cell's architecture weights into a [`CellGenotype`] by the
//! authors' rule; a [`Genotype`] holds the normal cell and, for layouts that downsample, the
//! reduction cell. Genotypes are read and written as JSON (`to_json`, `from_json`) and in the
//! text form of the authors' code (`to_text`, `from_text`); [`published`] holds the
//! genotypes of the DARTS paper.

mod cell;
mod derive;
mod error;
mod json;
pub mod published;
mod text;

pub use cell::{bare_name, is_none_primitive, CellGenotype, CellKind, Edge, Genotype};
pub use derive::{derive_cell, supernet_edges};
pub use error::{GenotypeError, Problem, Result};
