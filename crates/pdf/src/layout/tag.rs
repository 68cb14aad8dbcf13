//! The logical structure of a document (PDF/UA tagging), built while blocks are prepared.
//!
//! Every drawing item carries a [`Mark`]: either the structure element whose
//! content it is, or an artifact (decoration, running footer, repeated table
//! header) that assistive technology skips. Elements are created in reading
//! order, so the order of a parent's children is the reading order.

/// Header cell scope of a table header cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Heads the cells below it.
    Column,
    /// Heads the cells to its right.
    Row,
}

/// Structure type of an element (standard PDF 1.7 types only, so no role map is needed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// The root element.
    Document,
    /// A generic block grouping (callout boxes).
    Div,
    /// Heading of level 1 to 6.
    H(u8),
    /// A paragraph.
    P,
    /// A list.
    L,
    /// A list item.
    LI,
    /// A list item's label (the bullet).
    Lbl,
    /// A list item's body.
    LBody,
    /// A table.
    Table,
    /// A table row.
    TR,
    /// A table header cell.
    TH(Scope),
    /// A table data cell.
    TD,
    /// An illustration; carries alternate text.
    Figure,
}

/// Why an item is not part of the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Artifact {
    /// Backgrounds, rules and other decoration.
    Layout,
    /// Repeated content that only exists because of pagination (continued table headers).
    Pagination,
    /// The running page footer.
    Footer,
}

/// What a drawing item belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    /// Content of the structure element with this index.
    Node(usize),
    /// Not content.
    Artifact(Artifact),
}

/// Marks decoration.
pub(crate) const DECORATION: Mark = Mark::Artifact(Artifact::Layout);

/// One structure element.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    /// Structure type.
    pub(crate) role: Role,
    /// Index of the parent element (the root is its own parent).
    pub(crate) parent: usize,
    /// Alternate text (figures).
    pub(crate) alt: Option<String>,
}

/// The structure tree: element 0 is the document root.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tree {
    /// Elements in creation (reading) order.
    pub(crate) nodes: Vec<Node>,
}

impl Default for Tree {
    fn default() -> Self {
        Tree {
            nodes: vec![Node {
                role: Role::Document,
                parent: 0,
                alt: None,
            }],
        }
    }
}

impl Tree {
    /// Index of the document root.
    pub(crate) const ROOT: usize = 0;

    /// Adds an element under `parent` and returns its index.
    pub(crate) fn add(&mut self, parent: usize, role: Role) -> usize {
        self.nodes.push(Node {
            role,
            parent,
            alt: None,
        });
        self.nodes.len() - 1
    }

    /// Adds an element with alternate text.
    pub(crate) fn add_with_alt(&mut self, parent: usize, role: Role, alt: String) -> usize {
        let id = self.add(parent, role);
        self.nodes[id].alt = Some(alt);
        id
    }

    /// Children of every element, in reading order.
    pub(crate) fn children(&self) -> Vec<Vec<usize>> {
        let mut children = vec![Vec::new(); self.nodes.len()];
        for (id, node) in self.nodes.iter().enumerate().skip(1) {
            children[node.parent].push(id);
        }
        children
    }
}
