//! Drawings of what a DARTS search found, in pure Rust: cell diagrams (SVG laid out here, and
//! Graphviz DOT), line charts, the trajectories of the architecture weights, and one
//! self-contained HTML page to hold them.
//!
//! The inputs are plain types of this crate ([`CellDrawing`], [`LineChart`],
//! [`AlphaHistory`]), so that the crate depends on no other crate of the workspace; the host
//! converts its genotypes and metrics into them. Every drawing is a standalone SVG document
//! with presentation attributes only, which also reads inlined in the HTML of a [`Page`].

#![warn(missing_docs)]

mod alphas;
mod cell;
mod chart;
mod draw;
mod error;
mod escape;
mod heatmap;
mod metrics;
mod page;
mod palette;
mod scale;

pub use alphas::{alphas_svg, darts_edge_names, primitive_line_styles, AlphaHistory};
pub use cell::{cell_dot, cell_svg, state_name, CellDrawing, EdgeDrawing};
pub use chart::{line_chart_svg, LineChart, Series};
pub use error::ReportError;
pub use escape::escape_xml;
pub use heatmap::alphas_heatmap_svg;
pub use page::{FigureKind, Page};
pub use palette::primitive_colour;
