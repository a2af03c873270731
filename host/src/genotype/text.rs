//! The text form of the DARTS authors' code, the `repr` of their `Genotype` namedtuple:
//!
//! ```text
//! Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ...], normal_concat=[2, 3, 4, 5],
//!          reduce=[('max_pool_3x3', 0), ...], reduce_concat=[2, 3, 4, 5])
//! ```
//!
//! Reading accepts what `genotypes.py` and the search logs contain: an optional `NAME = `
//! assignment in front; keyword arguments in any order, with an optional trailing comma;
//! single or double quotes (with the escapes `\\`, `\'`, `\"`, `\n`, `\t`, `\r`); tuples
//! written as lists and lists as tuples; `range(2, 6)` (or `range(6)`) for a concat; spaces,
//! line breaks and `#` comments between any two tokens. `reduce` and `reduce_concat` come
//! together or not at all.
//!
//! The reader is a small recursive-descent parser over bytes. It never indexes out of
//! bounds and never recurses deeper than the fixed grammar, so any input string gives either
//! a genotype or an error naming the place, never a panic.

use std::fmt;

use super::cell::{CellGenotype, CellKind, Edge, Genotype};
use super::error::{GenotypeError, Result};

/// The keyword arguments of the authors' `Genotype`.
const KEYWORDS: &str = "normal, normal_concat, reduce, reduce_concat";

impl Genotype {
    /// Reads the authors' text form and checks the result with [`Genotype::validate`].
    ///
    /// Primitive names are kept as written, usually bare (`sep_conv_3x3`); qualify them with
    /// [`Genotype::try_map_primitives`] and the loaded plugins' `resolve`. A syntax error
    /// gives [`GenotypeError::Text`] with the line, column and byte offset and what was
    /// expected; a readable but invalid genotype gives [`GenotypeError::Invalid`].
    pub fn from_text(text: &str) -> Result<Genotype> {
        let genotype = Parser { text, pos: 0 }.genotype()?;
        genotype.validate()?;
        Ok(genotype)
    }

    /// The genotype in the authors' text form, on one line, as their code prints it.
    ///
    /// Concat lists print as lists (`[2, 3, 4, 5]`), not as `range(2, 6)`. A genotype without
    /// a reduction cell prints without the `reduce` and `reduce_concat` arguments, which
    /// [`Genotype::from_text`] reads back as `None`. Primitive names print as stored, quoted
    /// as Python's `repr` quotes them. Same as `to_string()`.
    pub fn to_text(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Genotype {
    /// Writes the authors' text form; see [`Genotype::to_text`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Genotype(")?;
        write_cell(f, "normal", &self.normal)?;
        if let Some(reduce) = &self.reduce {
            f.write_str(", ")?;
            write_cell(f, "reduce", reduce)?;
        }
        f.write_str(")")
    }
}

/// Writes `name=[(...), ...], name_concat=[...]`.
fn write_cell(f: &mut fmt::Formatter<'_>, name: &str, cell: &CellGenotype) -> fmt::Result {
    write!(f, "{name}=[")?;
    for (position, edge) in cell.edges.iter().enumerate() {
        if position > 0 {
            f.write_str(", ")?;
        }
        f.write_str("(")?;
        write_quoted(f, &edge.primitive)?;
        write!(f, ", {})", edge.input)?;
    }

    write!(f, "], {name}_concat=[")?;
    for (position, index) in cell.concat.iter().enumerate() {
        if position > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{index}")?;
    }
    f.write_str("]")
}

/// Writes a string as Python's `repr` does for the characters the reader accepts: single
/// quotes unless the text holds a single quote and no double one.
fn write_quoted(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    let quote = if text.contains('\'') && !text.contains('"') { '"' } else { '\'' };
    write!(f, "{quote}")?;
    for c in text.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            c if c == quote => write!(f, "\\{c}")?,
            c => write!(f, "{c}")?,
        }
    }
    write!(f, "{quote}")
}

/// A concat as written, expanded only once the cell's node count is known, so that
/// `range(0, 10**18)` is refused rather than allocated.
enum Concat {
    /// An explicit list.
    List(Vec<usize>),
    /// `range(start, end)`, written at byte `at`.
    Range { start: usize, end: usize, at: usize },
}

/// A keyword's value and the byte offset of the keyword.
type Field<T> = Option<(T, usize)>;

/// The keyword arguments read so far.
#[derive(Default)]
struct Fields {
    normal: Field<Vec<Edge>>,
    normal_concat: Field<Concat>,
    reduce: Field<Vec<Edge>>,
    reduce_concat: Field<Concat>,
}

/// The reader's state: the text and how far it has read, in bytes.
///
/// `pos` only ever stops just before or just after an ASCII byte, so it always sits on a
/// character boundary and slicing the text there cannot fail.
struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    /// `[NAME =] Genotype( keyword=value, ... )`, then only spaces and comments.
    fn genotype(&mut self) -> Result<Genotype> {
        self.skip_space();
        let start = self.pos;
        let first = self.identifier("`Genotype(` or `NAME = Genotype(`")?;
        self.skip_space();
        if self.peek() == Some(b'=') {
            self.pos += 1;
            self.skip_space();
            let at = self.pos;
            let constructor = self.identifier("`Genotype(` after `=`")?;
            if constructor != "Genotype" {
                return Err(
                    self.error_at(at, format!("expected `Genotype`, found `{constructor}`"))
                );
            }
        } else if first != "Genotype" {
            return Err(self.error_at(
                start,
                format!("expected `Genotype(` or `NAME = Genotype(`, found `{first}`"),
            ));
        }
        self.expect(b'(', "`(` after `Genotype`")?;

        let fields = self.fields()?;
        let close = self.pos.saturating_sub(1);
        self.skip_space();
        if self.pos < self.text.len() {
            return Err(self.expected("the end of the text after the closing `)`"));
        }

        let normal = self.cell(CellKind::Normal, fields.normal, fields.normal_concat, close)?;
        let reduce = match (fields.reduce, fields.reduce_concat) {
            (None, None) => None,
            (reduce, concat) => Some(self.cell(CellKind::Reduce, reduce, concat, close)?),
        };
        Ok(Genotype { normal, reduce })
    }

    /// The keyword arguments up to and including the closing `)`.
    fn fields(&mut self) -> Result<Fields> {
        let mut fields = Fields::default();
        loop {
            self.skip_space();
            if self.eat(b')') {
                return Ok(fields);
            }

            let at = self.pos;
            let keyword = self.identifier(&format!("a keyword ({KEYWORDS}) or `)`"))?;
            let known = matches!(keyword, "normal" | "normal_concat" | "reduce" | "reduce_concat");
            if !known {
                let message = format!("unknown keyword `{keyword}`; expected one of {KEYWORDS}");
                return Err(self.error_at(at, message));
            }
            let given = match keyword {
                "normal" => fields.normal.is_some(),
                "normal_concat" => fields.normal_concat.is_some(),
                "reduce" => fields.reduce.is_some(),
                _ => fields.reduce_concat.is_some(),
            };
            if given {
                return Err(self.error_at(at, format!("`{keyword}` is given twice")));
            }
            self.expect(b'=', &format!("`=` after `{keyword}`"))?;

            match keyword {
                "normal" => fields.normal = Some((self.edges()?, at)),
                "normal_concat" => fields.normal_concat = Some((self.concat()?, at)),
                "reduce" => fields.reduce = Some((self.edges()?, at)),
                _ => fields.reduce_concat = Some((self.concat()?, at)),
            }

            // A `,` may also trail the last argument, before the `)`.
            self.skip_space();
            if self.eat(b')') {
                return Ok(fields);
            }
            self.expect(b',', &format!("`,` or `)` after the value of `{keyword}`"))?;
        }
    }

    /// Puts one cell together, refusing a missing half and a range past the cell's nodes.
    fn cell(
        &self,
        kind: CellKind,
        edges: Field<Vec<Edge>>,
        concat: Field<Concat>,
        close: usize,
    ) -> Result<CellGenotype> {
        let (edges, concat) = match (edges, concat) {
            (Some((edges, _)), Some((concat, _))) => (edges, concat),
            (None, Some((_, at))) => {
                return Err(self.error_at(at, format!("`{kind}_concat` is given without `{kind}`")))
            }
            (Some((_, at)), None) => {
                return Err(self.error_at(at, format!("`{kind}` is given without `{kind}_concat`")))
            }
            (None, None) => {
                let message = format!("expected `{kind}=` and `{kind}_concat=` before the `)`");
                return Err(self.error_at(close, message));
            }
        };

        let concat = match concat {
            Concat::List(list) => list,
            Concat::Range { start, end, at } => {
                let states = 2 + edges.len() / 2;
                if end > states {
                    let message = format!(
                        "range({start}, {end}) goes past the {kind} cell's last node, state {}",
                        states - 1
                    );
                    return Err(self.error_at(at, message));
                }
                (start..end).collect()
            }
        };
        Ok(CellGenotype { edges, concat })
    }

    /// A list of edges: `[('name', input), ...]`.
    fn edges(&mut self) -> Result<Vec<Edge>> {
        self.sequence("a list of edges", Self::edge)
    }

    /// One edge: `('name', input)` or `['name', input]`, with an optional trailing comma.
    fn edge(&mut self) -> Result<Edge> {
        self.skip_space();
        let open = self.pos;
        let close = self.open("`('primitive', input)` for an edge")?;
        let primitive = self.string()?;
        self.expect(b',', "`,` and the input state after the primitive name")?;
        let input = self.number("the edge's input state (a non-negative integer)")?;
        self.skip_space();
        self.eat(b',');
        let closing = format!("`{}` closing the edge opened at {}", close as char, self.at(open));
        self.expect(close, &closing)?;
        Ok(Edge { primitive, input })
    }

    /// A concat: a list of node indices, `range(start, end)` or `range(end)`.
    fn concat(&mut self) -> Result<Concat> {
        self.skip_space();
        if !matches!(self.peek(), Some(c) if c.is_ascii_alphabetic() || c == b'_') {
            let list = self.sequence("a list of node indices or `range(start, end)`", |p| {
                p.number("a node index (a non-negative integer)")
            })?;
            return Ok(Concat::List(list));
        }

        let at = self.pos;
        let name = self.identifier("`range(`")?;
        if name != "range" {
            let message =
                format!("expected a list of node indices or `range(start, end)`, found `{name}`");
            return Err(self.error_at(at, message));
        }
        self.expect(b'(', "`(` after `range`")?;
        let first = self.number("the range's start or end (a non-negative integer)")?;
        self.skip_space();
        let (start, end) = if self.eat(b',') {
            self.skip_space();
            if self.eat(b')') {
                return Ok(Concat::Range { start: 0, end: first, at });
            }
            (first, self.number("the range's end (a non-negative integer)")?)
        } else {
            (0, first)
        };
        self.skip_space();
        self.eat(b',');
        self.expect(b')', "`)` closing `range(`")?;
        Ok(Concat::Range { start, end, at })
    }

    /// `[item, ...]` or `(item, ...)`, with an optional trailing comma.
    fn sequence<T>(
        &mut self,
        what: &str,
        mut item: impl FnMut(&mut Self) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.skip_space();
        let open = self.pos;
        let close = self.open(what)?;
        let closing =
            format!("`,` or `{}` closing the list opened at {}", close as char, self.at(open));

        let mut items = Vec::new();
        loop {
            self.skip_space();
            if self.eat(close) {
                return Ok(items);
            }
            items.push(item(self)?);
            self.skip_space();
            if self.eat(close) {
                return Ok(items);
            }
            self.expect(b',', &closing)?;
        }
    }

    /// Steps over `[` or `(` and returns the byte that closes it.
    fn open(&mut self, what: &str) -> Result<u8> {
        let close = match self.peek() {
            Some(b'[') => b']',
            Some(b'(') => b')',
            _ => return Err(self.expected(what)),
        };
        self.pos += 1;
        Ok(close)
    }

    /// A quoted name, `'...'` or `"..."`, on one line.
    fn string(&mut self) -> Result<String> {
        self.skip_space();
        let open = self.pos;
        let quote = match self.peek() {
            Some(quote @ (b'\'' | b'"')) => quote,
            _ => return Err(self.expected("a quoted primitive name")),
        };
        self.pos += 1;

        let mut value = String::new();
        let mut chunk = self.pos;
        loop {
            let Some(&byte) = self.text.as_bytes().get(self.pos) else {
                return Err(self.error_at(open, "this quoted name is never closed".to_owned()));
            };
            match byte {
                _ if byte == quote => {
                    value.push_str(self.slice(chunk, self.pos)?);
                    self.pos += 1;
                    return Ok(value);
                }
                b'\n' | b'\r' => {
                    let message = "line break inside a quoted name; close the quote first";
                    return Err(self.error_at(self.pos, message.to_owned()));
                }
                b'\\' => {
                    value.push_str(self.slice(chunk, self.pos)?);
                    let escaped = match self.text.as_bytes().get(self.pos + 1) {
                        Some(b'\\') => '\\',
                        Some(b'\'') => '\'',
                        Some(b'"') => '"',
                        Some(b'n') => '\n',
                        Some(b't') => '\t',
                        Some(b'r') => '\r',
                        _ => {
                            let message = "unsupported escape; only \\\\, \\', \\\", \\n, \\t and \
                                           \\r are read";
                            return Err(self.error_at(self.pos, message.to_owned()));
                        }
                    };
                    value.push(escaped);
                    self.pos += 2;
                    chunk = self.pos;
                }
                _ => self.pos += 1,
            }
        }
    }

    /// A non-negative decimal integer that fits a `usize`.
    fn number(&mut self, what: &str) -> Result<usize> {
        self.skip_space();
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        if start == self.pos {
            return Err(self.expected(what));
        }
        let digits = self.slice(start, self.pos)?;
        digits
            .parse()
            .map_err(|_| self.error_at(start, format!("the number {digits} is too large")))
    }

    /// A Python-style ASCII identifier: a letter or `_`, then letters, digits and `_`.
    fn identifier(&mut self, what: &str) -> Result<&'a str> {
        self.skip_space();
        let start = self.pos;
        if !matches!(self.peek(), Some(c) if c.is_ascii_alphabetic() || c == b'_') {
            return Err(self.expected(what));
        }
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == b'_') {
            self.pos += 1;
        }
        self.slice(start, self.pos)
    }

    /// Skips spaces, line breaks and `#` comments.
    fn skip_space(&mut self) {
        while let Some(byte) = self.peek() {
            match byte {
                b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => self.pos += 1,
                b'#' => {
                    while !matches!(self.peek(), None | Some(b'\n')) {
                        self.pos += 1;
                    }
                }
                _ => return,
            }
        }
    }

    /// Steps over `byte`, after any space, when it comes next.
    fn eat(&mut self, byte: u8) -> bool {
        self.skip_space();
        if self.peek() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Steps over `byte`, after any space, or fails saying `what` was expected.
    fn expect(&mut self, byte: u8, what: &str) -> Result<()> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(self.expected(what))
        }
    }

    /// The next byte, if any.
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// The text between two byte offsets; an error, not a panic, off a character boundary.
    fn slice(&self, start: usize, end: usize) -> Result<&'a str> {
        self.text.get(start..end).ok_or_else(|| {
            self.error_at(start, "the reader lost its place between characters".to_owned())
        })
    }

    /// An error at the current place: `what` was expected, and what is there instead.
    fn expected(&self, what: &str) -> GenotypeError {
        let rest = self.text.get(self.pos..).unwrap_or("");
        let found = match rest.chars().next() {
            None => "the end of the text".to_owned(),
            Some(c) if c.is_alphanumeric() || c == '_' => {
                let word: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .take(24)
                    .collect();
                format!("`{word}`")
            }
            Some(c) => format!("{c:?}"),
        };
        self.error_at(self.pos, format!("expected {what}, found {found}"))
    }

    /// An error at byte `offset` with its line and column.
    fn error_at(&self, offset: usize, message: String) -> GenotypeError {
        let (line, column) = self.place(offset);
        GenotypeError::Text { line, column, offset, message }
    }

    /// Byte `offset` as `line:column`, for messages that point back at an opening bracket.
    fn at(&self, offset: usize) -> String {
        let (line, column) = self.place(offset);
        format!("{line}:{column}")
    }

    /// The 1-based line and column (in characters) of byte `offset`.
    fn place(&self, offset: usize) -> (usize, usize) {
        let bytes = self.text.as_bytes();
        let before = bytes.get(..offset).unwrap_or(bytes);
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |newline| newline + 1);
        let column = match self.text.get(line_start..offset) {
            Some(part) => part.chars().count(),
            None => offset.saturating_sub(line_start),
        };
        (line, column + 1)
    }
}
