//! Where the boxes and edges of a cell go.
//!
//! A small layered layout in the manner of Sugiyama et al., with edge labels placed the way
//! Graphviz's dot places them, as vertices of their own:
//!
//! - every state gets a layer: the inputs 0, a node one more than the deepest state it reads,
//!   the output one more than the deepest node;
//! - layer `l` becomes rank `2l`, and the odd rank between two layers holds the labels of the
//!   kept edges that end in the next layer, each label a vertex its edge passes through, just
//!   before the node it feeds;
//! - an edge that spans several ranks passes through a routing point in each rank between,
//!   which takes a slot there like a small box, so that no edge crosses a box or a label;
//! - the vertices of every rank are ordered to cross few edges (barycentre sweeps, keeping the
//!   order with the fewest crossings);
//! - heights are chosen to keep edges short and level: every vertex is pulled towards its
//!   neighbours' mean height while keeping its order and its distance from the vertices above
//!   and below it in its rank.
//!
//! So labels never overlap each other or a box, and each sits on its own edge.

use super::{state_name, CellDrawing};
use crate::metrics::{mono_width, sans_width};

/// The font size of the names in the boxes.
pub(super) const NODE_FONT: f64 = 14.0;
/// The font size of the edge labels.
pub(super) const LABEL_FONT: f64 = 12.0;
/// The height of an edge label's background.
const LABEL_HEIGHT: f64 = 18.0;
/// The room between an edge label's text and the ends of its background.
const LABEL_PAD: f64 = 6.0;
/// The font size of the title.
pub(super) const TITLE_FONT: f64 = 16.0;
/// The room around the drawing.
pub(super) const MARGIN: f64 = 20.0;
/// The height of the band the title takes above the cell.
const TITLE_BAND: f64 = 30.0;
/// The least height of a box.
const BOX_HEIGHT: f64 = 34.0;
/// The least width of a box, and the room between its name and its sides.
const BOX_MIN_WIDTH: f64 = 56.0;
const BOX_PAD: f64 = 14.0;
/// The slot a routing point takes in its rank.
const ROUTE_HEIGHT: f64 = 6.0;
/// The room between two boxes of a rank, between two labels, and between a routing point and
/// its neighbours.
const BOX_GAP: f64 = 30.0;
const LABEL_GAP: f64 = 10.0;
const ROUTE_GAP: f64 = 12.0;
/// The horizontal room between two ranks, where the edges bend.
const BEND: f64 = 56.0;
/// The distance between the ends of edges that meet one side of a box.
const PORT_SPACING: f64 = 10.0;

/// A point of the drawing, in pixels from the top left.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Point {
    /// Pixels from the left.
    pub x: f64,
    /// Pixels from the top.
    pub y: f64,
}

/// An axis-aligned rectangle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Rect {
    /// The left side.
    pub x: f64,
    /// The top side.
    pub y: f64,
    /// The width.
    pub w: f64,
    /// The height.
    pub h: f64,
}

impl Rect {
    /// The rectangle of size `w` by `h` centred on `centre`.
    pub fn centred(centre: Point, w: f64, h: f64) -> Rect {
        Rect { x: centre.x - w / 2.0, y: centre.y - h / 2.0, w, h }
    }

    /// Whether `point` lies inside this rectangle.
    #[cfg(test)]
    pub fn contains(&self, point: Point) -> bool {
        (self.x..=self.x + self.w).contains(&point.x)
            && (self.y..=self.y + self.h).contains(&point.y)
    }

    /// The middle of the rectangle.
    pub fn centre(&self) -> Point {
        Point { x: self.x + self.w / 2.0, y: self.y + self.h / 2.0 }
    }
}

/// One stretch of an edge's path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Piece {
    /// A straight stretch, through a routing point's slot.
    Line(Point, Point),
    /// A cubic Bézier curve between two layers: start, two control points, end.
    Curve([Point; 4]),
}

impl Piece {
    /// The point at parameter `t` in `[0, 1]` along the piece.
    #[cfg(test)]
    pub fn at(&self, t: f64) -> Point {
        match self {
            Piece::Line(a, b) => Point { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t },
            Piece::Curve([p0, p1, p2, p3]) => {
                let u = 1.0 - t;
                let (a, b, c, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
                Point {
                    x: a * p0.x + b * p1.x + c * p2.x + d * p3.x,
                    y: a * p0.y + b * p1.y + c * p2.y + d * p3.y,
                }
            }
        }
    }
}

/// What a box stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BoxKind {
    /// One of the cell's inputs, c_{k-2} or c_{k-1}.
    Input,
    /// An intermediate node.
    Node,
    /// The cell's output c_{k}.
    Output,
}

/// The box of one state, or of the output.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct StateBox {
    /// The state index; the number of states for the output.
    pub state: usize,
    /// The name drawn in the box.
    pub name: String,
    /// What the box stands for.
    pub kind: BoxKind,
    /// Where the box is.
    pub rect: Rect,
}

/// The path of one edge.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Route {
    /// The state the edge reads.
    pub from: usize,
    /// The state it feeds; the number of states for the output.
    pub to: usize,
    /// The primitive's name and the background of its label, for a kept edge; nothing for an
    /// edge into the output.
    pub label: Option<(String, Rect)>,
    /// The path, from the source box's right side to the target box's left side, passing
    /// under its label.
    pub pieces: Vec<Piece>,
}

/// A cell laid out: its size, boxes and edge paths.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Layout {
    /// The width of the drawing.
    pub width: f64,
    /// The height of the drawing.
    pub height: f64,
    /// The boxes: the states in order, then the output.
    pub boxes: Vec<StateBox>,
    /// The edges: the kept edges node by node, then the edges into the output.
    pub routes: Vec<Route>,
}

/// The width of the background of an edge label.
fn label_width(label: &str) -> f64 {
    mono_width(label, LABEL_FONT) + 2.0 * LABEL_PAD
}

/// What a vertex of the layered graph is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Vertex {
    /// A state's or the output's box.
    Box,
    /// A point an edge passes through on its way across a rank.
    Route,
    /// The label of a kept edge, this wide.
    Label(f64),
}

/// Lays out `cell`, which [`CellDrawing::validate`] accepted.
pub(super) fn layout(cell: &CellDrawing) -> Layout {
    let states = cell.states();
    let output = states;

    // Layers of the states, and their ranks.
    let mut layer = vec![0; states + 1];
    for (node, edges) in cell.nodes.iter().enumerate() {
        layer[node + 2] = 1 + edges.iter().map(|edge| layer[edge.from]).max().unwrap_or(0);
    }
    layer[output] = 1 + layer[..states].iter().max().copied().unwrap_or(0);
    let ranks = 2 * layer[output] + 1;

    // The edges, kept ones then the output's, each a chain of vertices through the ranks:
    // vertices 0..=states are the states and the output, later ones routing points and labels.
    let mut edges: Vec<(usize, usize, Option<&str>)> = Vec::new();
    for (node, node_edges) in cell.nodes.iter().enumerate() {
        edges.extend(node_edges.iter().map(|edge| (edge.from, node + 2, Some(&*edge.label))));
    }
    edges.extend(cell.concat.iter().map(|&state| (state, output, None)));
    let mut graph = Graph {
        rank: layer.iter().map(|l| 2 * l).collect(),
        kind: vec![Vertex::Box; states + 1],
        chains: Vec::new(),
    };
    for &(from, to, label) in &edges {
        let mut chain = vec![from];
        let (first, last) = (graph.rank[from], graph.rank[to]);
        for rank in first + 1..last {
            let kind = match label {
                Some(label) if rank + 1 == last => Vertex::Label(label_width(label)),
                _ => Vertex::Route,
            };
            graph.rank.push(rank);
            graph.kind.push(kind);
            chain.push(graph.rank.len() - 1);
        }
        chain.push(to);
        graph.chains.push(chain);
    }

    let order = graph.order(ranks);

    // Sizes.
    let names: Vec<String> = (0..=states).map(|state| state_name(state, states)).collect();
    let box_width = names
        .iter()
        .map(|name| sans_width(name, NODE_FONT) + 2.0 * BOX_PAD)
        .fold(BOX_MIN_WIDTH, f64::max);
    let incoming = graph.incoming();
    let height: Vec<f64> = (0..graph.rank.len())
        .map(|v| match graph.kind[v] {
            Vertex::Box => {
                let ends = incoming[v].len().max(1) as f64;
                BOX_HEIGHT.max((ends - 1.0) * PORT_SPACING + 16.0)
            }
            Vertex::Route => ROUTE_HEIGHT,
            Vertex::Label(_) => LABEL_HEIGHT,
        })
        .collect();

    let mut y = graph.heights(&order, &height);
    let top = (0..y.len()).map(|v| y[v] - height[v] / 2.0).fold(f64::INFINITY, f64::min);
    for value in &mut y {
        *value += MARGIN + TITLE_BAND - top;
    }

    // Columns: boxes on even ranks, labels on odd ones, as wide as the widest label there.
    let mut column_width = vec![0.0; ranks];
    for rank in (0..ranks).step_by(2) {
        column_width[rank] = box_width;
    }
    for (v, kind) in graph.kind.iter().enumerate() {
        if let Vertex::Label(width) = kind {
            let rank = graph.rank[v];
            column_width[rank] = f64::max(column_width[rank], *width);
        }
    }
    let mut column = vec![MARGIN + box_width / 2.0];
    for rank in 1..ranks {
        let previous = column[rank - 1] + column_width[rank - 1] / 2.0;
        column.push(previous + BEND + column_width[rank] / 2.0);
    }

    let boxes: Vec<StateBox> = (0..=states)
        .map(|state| StateBox {
            state,
            name: names[state].clone(),
            kind: match state {
                0 | 1 => BoxKind::Input,
                s if s == output => BoxKind::Output,
                _ => BoxKind::Node,
            },
            rect: Rect::centred(
                Point { x: column[graph.rank[state]], y: y[state] },
                box_width,
                height[state],
            ),
        })
        .collect();

    let routes = graph.routes(&edges, &y, &height, &column, &column_width);

    let bottom = (0..y.len()).map(|v| y[v] + height[v] / 2.0).fold(0.0, f64::max);
    let title_width = sans_width(&cell.title, TITLE_FONT) + 2.0 * MARGIN;
    Layout {
        width: (column[ranks - 1] + box_width / 2.0 + MARGIN).max(title_width),
        height: bottom + MARGIN,
        boxes,
        routes,
    }
}

/// The layered graph: boxes, routing points and labels, and the edges as chains of them.
struct Graph {
    /// The rank of every vertex.
    rank: Vec<usize>,
    /// What every vertex is.
    kind: Vec<Vertex>,
    /// Every edge as the vertices it passes, from its source to its target.
    chains: Vec<Vec<usize>>,
}

impl Graph {
    /// The links between adjacent ranks, `(vertex, vertex in the next rank, edge)`.
    fn links(&self) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        self.chains
            .iter()
            .enumerate()
            .flat_map(|(edge, chain)| chain.windows(2).map(move |pair| (pair[0], pair[1], edge)))
    }

    /// For every vertex, the `(source vertex, edge)` of the links entering it.
    fn incoming(&self) -> Vec<Vec<(usize, usize)>> {
        let mut incoming = vec![Vec::new(); self.rank.len()];
        for (from, to, edge) in self.links() {
            incoming[to].push((from, edge));
        }
        incoming
    }

    /// For every vertex, the `(target vertex, edge)` of the links leaving it.
    fn outgoing(&self) -> Vec<Vec<(usize, usize)>> {
        let mut outgoing = vec![Vec::new(); self.rank.len()];
        for (from, to, edge) in self.links() {
            outgoing[from].push((to, edge));
        }
        outgoing
    }

    /// The vertices of every rank, top to bottom, ordered to cross few links. The inputs
    /// keep their order, c_{k-2} above c_{k-1}.
    fn order(&self, ranks: usize) -> Vec<Vec<usize>> {
        let mut order = vec![Vec::new(); ranks];
        for v in 0..self.rank.len() {
            order[self.rank[v]].push(v);
        }
        let neighbours = |links: Vec<Vec<(usize, usize)>>| -> Vec<Vec<usize>> {
            links.into_iter().map(|list| list.into_iter().map(|(v, _)| v).collect()).collect()
        };
        let above = neighbours(self.incoming());
        let below = neighbours(self.outgoing());

        let mut best = order.clone();
        let mut fewest = self.crossings(&order);
        for sweep in 0..16 {
            if sweep % 2 == 0 {
                for rank in 1..ranks {
                    reorder(&mut order, rank, rank - 1, &above);
                }
            } else {
                for rank in (1..ranks.saturating_sub(1)).rev() {
                    reorder(&mut order, rank, rank + 1, &below);
                }
            }
            let crossings = self.crossings(&order);
            if crossings < fewest {
                fewest = crossings;
                best = order.clone();
            }
        }
        best
    }

    /// How many pairs of links cross, given the order of every rank.
    fn crossings(&self, order: &[Vec<usize>]) -> usize {
        let position = positions(order, self.rank.len());
        let mut by_rank = vec![Vec::new(); order.len()];
        for (from, to, _) in self.links() {
            by_rank[self.rank[from]].push((position[from], position[to]));
        }
        let mut count = 0;
        for links in &by_rank {
            for (i, a) in links.iter().enumerate() {
                count += links[i + 1..]
                    .iter()
                    .filter(|b| (a.0 < b.0 && a.1 > b.1) || (a.0 > b.0 && a.1 < b.1))
                    .count();
            }
        }
        count
    }

    /// The height of the middle of every vertex (from an arbitrary origin): each rank keeps
    /// its order and its vertices' distances, and every vertex is pulled towards the mean
    /// height of its neighbours in the ranks on either side.
    fn heights(&self, order: &[Vec<usize>], height: &[f64]) -> Vec<f64> {
        let gap = |a: usize, b: usize| {
            let room = match (self.kind[a], self.kind[b]) {
                (Vertex::Box, Vertex::Box) => BOX_GAP,
                (Vertex::Label(_), Vertex::Label(_)) => LABEL_GAP,
                _ => ROUTE_GAP,
            };
            (height[a] + height[b]) / 2.0 + room
        };
        let mut neighbours = vec![Vec::new(); self.rank.len()];
        for (from, to, _) in self.links() {
            neighbours[from].push(to);
            neighbours[to].push(from);
        }

        // Start from every rank stacked and centred on 0.
        let mut y = vec![0.0; self.rank.len()];
        for vertices in order {
            for pair in vertices.windows(2) {
                y[pair[1]] = y[pair[0]] + gap(pair[0], pair[1]);
            }
            if let (Some(&first), Some(&last)) = (vertices.first(), vertices.last()) {
                let middle = (y[first] + y[last]) / 2.0;
                vertices.iter().for_each(|&v| y[v] -= middle);
            }
        }

        for sweep in 0..60 {
            let ranks: Vec<usize> = if sweep % 2 == 0 {
                (0..order.len()).collect()
            } else {
                (0..order.len()).rev().collect()
            };
            for rank in ranks {
                let vertices = &order[rank];
                let wanted: Vec<f64> = vertices
                    .iter()
                    .map(|&v| match neighbours[v].len() {
                        0 => y[v],
                        n => neighbours[v].iter().map(|&u| y[u]).sum::<f64>() / n as f64,
                    })
                    .collect();
                let gaps: Vec<f64> = vertices.windows(2).map(|p| gap(p[0], p[1])).collect();
                for (&v, placed) in vertices.iter().zip(spaced_nearest(&wanted, &gaps)) {
                    y[v] = placed;
                }
            }
        }
        y
    }

    /// The path of every edge, and the background of its label. The ends of the edges that
    /// meet one side of a box are spread along it, in the order of the heights of their other
    /// ends, so that they do not cross there and their arrowheads do not sit on each other.
    fn routes(
        &self,
        edges: &[(usize, usize, Option<&str>)],
        y: &[f64],
        height: &[f64],
        column: &[f64],
        column_width: &[f64],
    ) -> Vec<Route> {
        let spread = |mut ends: Vec<(usize, usize)>, v: usize| -> Vec<(usize, f64)> {
            ends.sort_by(|a, b| y[a.0].total_cmp(&y[b.0]).then(a.1.cmp(&b.1)));
            let count = ends.len();
            let spacing = if count > 1 {
                PORT_SPACING.min((height[v] - 12.0) / (count - 1) as f64)
            } else {
                0.0
            };
            let first = y[v] - spacing * (count.saturating_sub(1)) as f64 / 2.0;
            ends.into_iter()
                .enumerate()
                .map(|(i, (_, edge))| (edge, first + spacing * i as f64))
                .collect()
        };
        let incoming: Vec<Vec<(usize, f64)>> =
            self.incoming().into_iter().enumerate().map(|(v, ends)| spread(ends, v)).collect();
        let outgoing: Vec<Vec<(usize, f64)>> =
            self.outgoing().into_iter().enumerate().map(|(v, ends)| spread(ends, v)).collect();
        let port = |ends: &[(usize, f64)], v: usize, edge: usize| -> f64 {
            ends.iter().find(|(e, _)| *e == edge).map_or(y[v], |&(_, at)| at)
        };
        // Where an edge enters and leaves a vertex's column.
        let left = |v: usize| column[self.rank[v]] - column_width[self.rank[v]] / 2.0;
        let right = |v: usize| column[self.rank[v]] + column_width[self.rank[v]] / 2.0;

        self.chains
            .iter()
            .enumerate()
            .map(|(edge, chain)| {
                let mut pieces = Vec::new();
                let mut label = None;
                for (i, pair) in chain.windows(2).enumerate() {
                    let (a, b) = (pair[0], pair[1]);
                    let start = Point { x: right(a), y: port(&outgoing[a], a, edge) };
                    let end = Point { x: left(b), y: port(&incoming[b], b, edge) };
                    let bend = (end.x - start.x) / 2.0;
                    pieces.push(Piece::Curve([
                        start,
                        Point { x: start.x + bend, y: start.y },
                        Point { x: end.x - bend, y: end.y },
                        end,
                    ]));
                    if i + 2 < chain.len() {
                        // Across the routing point's or label's column, to the next bend.
                        let across = Point { x: right(b), y: y[b] };
                        if across.x > end.x {
                            pieces.push(Piece::Line(end, across));
                        }
                        if let (Vertex::Label(width), Some(text)) = (self.kind[b], edges[edge].2) {
                            let centre = Point { x: column[self.rank[b]], y: y[b] };
                            label =
                                Some((text.to_owned(), Rect::centred(centre, width, LABEL_HEIGHT)));
                        }
                    }
                }
                let (from, to, _) = edges[edge];
                Route { from, to, label, pieces }
            })
            .collect()
    }
}

/// The position of every vertex within its rank.
fn positions(order: &[Vec<usize>], vertices: usize) -> Vec<usize> {
    let mut position = vec![0; vertices];
    for layer in order {
        for (i, &v) in layer.iter().enumerate() {
            position[v] = i;
        }
    }
    position
}

/// Sorts rank `l` by the mean position of each vertex's neighbours in rank `fixed`; a vertex
/// without neighbours there, and ties, keep their place.
fn reorder(order: &mut [Vec<usize>], l: usize, fixed: usize, neighbours: &[Vec<usize>]) {
    let position = positions(order, neighbours.len());
    let mut keyed: Vec<(f64, usize)> = order[l]
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let there: Vec<usize> =
                neighbours[v].iter().copied().filter(|&u| order[fixed].contains(&u)).collect();
            let key = if there.is_empty() {
                i as f64
            } else {
                there.iter().map(|&u| position[u] as f64).sum::<f64>() / there.len() as f64
            };
            (key, v)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
    order[l] = keyed.into_iter().map(|(_, v)| v).collect();
}

/// The heights nearest (least squares) to `wanted` that keep their order and at least
/// `gaps[i]` between the `i`th and the next.
///
/// Measured from the least stack of gaps, the heights must only not decrease, and the nearest
/// such sequence is found by pooling adjacent values that violate the order into their mean
/// (pool adjacent violators).
fn spaced_nearest(wanted: &[f64], gaps: &[f64]) -> Vec<f64> {
    let mut offset = vec![0.0; wanted.len()];
    for i in 1..wanted.len() {
        offset[i] = offset[i - 1] + gaps[i - 1];
    }
    // Blocks of pooled values: (sum, count).
    let mut blocks: Vec<(f64, usize)> = Vec::new();
    for (w, o) in wanted.iter().zip(&offset) {
        blocks.push((w - o, 1));
        while blocks.len() >= 2 {
            let (s2, n2) = blocks[blocks.len() - 1];
            let (s1, n1) = blocks[blocks.len() - 2];
            if s1 / n1 as f64 <= s2 / n2 as f64 {
                break;
            }
            blocks.pop();
            *blocks.last_mut().expect("two blocks") = (s1 + s2, n1 + n2);
        }
    }
    let mut out = Vec::with_capacity(wanted.len());
    for (sum, count) in blocks {
        let mean = sum / count as f64;
        out.extend(std::iter::repeat(mean).take(count));
    }
    out.iter().zip(&offset).map(|(z, o)| z + o).collect()
}

#[cfg(test)]
mod tests {
    use super::{layout, spaced_nearest, BoxKind, Rect};
    use crate::CellDrawing;

    #[test]
    fn spaced_nearest_keeps_order_and_gaps() {
        assert_eq!(spaced_nearest(&[0.0, 100.0], &[10.0]), vec![0.0, 100.0]);
        assert_eq!(spaced_nearest(&[5.0, 5.0], &[10.0]), vec![0.0, 10.0]);
        let placed = spaced_nearest(&[0.0, 0.0, 0.0], &[10.0, 10.0]);
        assert_eq!(placed, vec![-10.0, 0.0, 10.0]);
    }

    #[test]
    fn layers_put_nodes_after_their_inputs() {
        let cell = CellDrawing::from_flat(
            "chain",
            &[("a", 0), ("b", 1), ("c", 2), ("d", 0), ("e", 3), ("f", 1)],
            &[4],
        );
        let laid = layout(&cell);
        let x = |state: usize| laid.boxes[state].rect.x;
        assert_eq!(x(0), x(1));
        assert!(x(2) > x(1) && x(3) > x(2) && x(4) > x(3) && x(5) > x(4));
        assert_eq!(laid.boxes[5].kind, BoxKind::Output);
        // The edge from c_{k-2} to node 1 and the edge from c_{k-1} to node 2 pass one and
        // two layers of boxes through routing points, never through a box.
        for route in &laid.routes {
            for piece in &route.pieces {
                for i in 1..20 {
                    let point = piece.at(f64::from(i) / 20.0);
                    for b in &laid.boxes {
                        let inside = Rect { x: b.rect.x + 1.0, w: b.rect.w - 2.0, ..b.rect };
                        assert!(!inside.contains(point), "{route:?} crosses box {}", b.name);
                    }
                    for other in laid.routes.iter().filter(|other| *other != route) {
                        if let Some((label, rect)) = &other.label {
                            assert!(!rect.contains(point), "{route:?} crosses label {label}");
                        }
                    }
                }
            }
        }
    }
}
