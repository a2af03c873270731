//! Deriving a discrete cell from the alphas, by the rule of the DARTS authors' code.

use std::cmp::Ordering;

use super::cell::{is_none_primitive, CellGenotype, Edge};
use super::error::{GenotypeError, Result};

/// The number of edges (mixed ops) in a supernet cell of `nodes` intermediate nodes.
///
/// Node `j` (0-based) reads every earlier state, the two cell inputs and nodes `0..j`, so it
/// has `j + 2` edges: 2 + 3 + ... + (nodes + 1) in all, 14 for 4 nodes.
pub fn supernet_edges(nodes: usize) -> usize {
    // Saturating, so an absurd node count gives an absurd count rather than a wrap.
    nodes.saturating_mul(nodes.saturating_add(3)) / 2
}

/// Derives a cell's genotype from its architecture weights, as the DARTS authors' code does.
///
/// `weights` has one row per supernet edge, node by node (node `j` has `j + 2` rows, from
/// states `0..j + 2` in order), so [`supernet_edges`]`(nodes)` rows in all; each row is that
/// edge's softmax(alpha), one value per entry of `primitives`, in the same order.
///
/// For each node, the two inputs whose strongest non-`none` primitive weighs most are kept,
/// each with that primitive; the zero operation `none` (bare or qualified, see
/// [`is_none_primitive`]) is never chosen. Ties go to the lower input and the lower
/// primitive index. A node's two edges are listed strongest first, as the authors' stable
/// sort leaves them. The concat is the last `multiplier` nodes.
///
/// Primitive names are copied as given, so qualified names give a qualified genotype.
pub fn derive_cell(
    weights: &[Vec<f64>],
    primitives: &[String],
    nodes: usize,
    multiplier: usize,
) -> Result<CellGenotype> {
    check_shape(weights, primitives, nodes, multiplier)?;

    let mut edges = Vec::with_capacity(2 * nodes);
    let mut rows = weights.iter();
    for node in 0..nodes {
        // Each candidate input with its strongest real primitive and that primitive's weight.
        let mut candidates = Vec::with_capacity(node + 2);
        for (input, row) in rows.by_ref().take(node + 2).enumerate() {
            let (primitive, weight) = strongest(row, primitives)?;
            candidates.push((input, primitive, weight));
        }

        // A stable sort, strongest first, keeps the lower input first among equals.
        candidates.sort_by(|a, b| b.2.partial_cmp(&a.2).unwrap_or(Ordering::Equal));
        edges.extend(
            candidates.iter().take(2).map(|&(input, primitive, _)| Edge::new(primitive, input)),
        );
    }

    let concat = (2 + nodes - multiplier..2 + nodes).collect();
    Ok(CellGenotype { edges, concat })
}

/// Refuses weights and sizes from which no cell can be derived, so the derivation cannot
/// fail half-way.
fn check_shape(
    weights: &[Vec<f64>],
    primitives: &[String],
    nodes: usize,
    multiplier: usize,
) -> Result<()> {
    if nodes == 0 {
        return Err(GenotypeError::NoNodes);
    }
    if multiplier == 0 || multiplier > nodes {
        return Err(GenotypeError::Multiplier { multiplier, nodes });
    }
    if primitives.iter().all(|name| is_none_primitive(name)) {
        return Err(GenotypeError::OnlyNone { primitives: primitives.join(", ") });
    }

    let expected = supernet_edges(nodes);
    if weights.len() != expected {
        return Err(GenotypeError::WeightRows { nodes, expected, found: weights.len() });
    }
    for (edge, row) in weights.iter().enumerate() {
        if row.len() != primitives.len() {
            return Err(GenotypeError::WeightRowLength {
                edge,
                expected: primitives.len(),
                found: row.len(),
            });
        }
        if let Some((_, name)) = row.iter().zip(primitives).find(|(weight, _)| weight.is_nan()) {
            return Err(GenotypeError::NanWeight { edge, primitive: name.clone() });
        }
    }
    Ok(())
}

/// The strongest primitive other than `none` on one edge, the first of equals, with its
/// weight.
fn strongest<'p>(row: &[f64], primitives: &'p [String]) -> Result<(&'p str, f64)> {
    let mut best: Option<(&str, f64)> = None;
    for (&weight, name) in row.iter().zip(primitives) {
        if is_none_primitive(name) {
            continue;
        }
        // Strictly greater, so an equal weight later in the list does not win.
        let stronger = match best {
            Some((_, best_weight)) => weight > best_weight,
            None => true,
        };
        if stronger {
            best = Some((name, weight));
        }
    }
    // Unreachable after `check_shape`, which refuses a list of only `none`.
    best.ok_or_else(|| GenotypeError::OnlyNone { primitives: primitives.join(", ") })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn supernet_edges_counts_two_to_nodes_plus_one() {
        assert_eq!(supernet_edges(1), 2);
        assert_eq!(supernet_edges(2), 5);
        assert_eq!(supernet_edges(4), 14);
        assert_eq!(supernet_edges(usize::MAX), usize::MAX / 2);
    }

    #[test]
    fn bad_shapes_are_refused_before_anything_is_derived() {
        let primitives = names(&["none", "skip_connect"]);
        let two_rows = vec![vec![0.5, 0.5]; 2];
        assert_eq!(derive_cell(&two_rows, &primitives, 0, 1), Err(GenotypeError::NoNodes));
        assert_eq!(
            derive_cell(&two_rows, &primitives, 1, 2),
            Err(GenotypeError::Multiplier { multiplier: 2, nodes: 1 })
        );
        assert_eq!(
            derive_cell(&two_rows, &primitives, 2, 1),
            Err(GenotypeError::WeightRows { nodes: 2, expected: 5, found: 2 })
        );

        let short_row = vec![vec![0.5, 0.5], vec![1.0]];
        assert_eq!(
            derive_cell(&short_row, &primitives, 1, 1),
            Err(GenotypeError::WeightRowLength { edge: 1, expected: 2, found: 1 })
        );

        let nan = vec![vec![0.5, 0.5], vec![0.5, f64::NAN]];
        assert_eq!(
            derive_cell(&nan, &primitives, 1, 1),
            Err(GenotypeError::NanWeight { edge: 1, primitive: "skip_connect".to_owned() })
        );
    }

    #[test]
    fn only_none_primitives_is_an_error_not_a_panic() {
        let primitives = names(&["none", "conv2d:none"]);
        let weights = vec![vec![0.5, 0.5]; 2];
        assert!(matches!(
            derive_cell(&weights, &primitives, 1, 1),
            Err(GenotypeError::OnlyNone { .. })
        ));
        assert!(matches!(derive_cell(&[], &[], 1, 1), Err(GenotypeError::OnlyNone { .. })));
    }
}
