//! The structure tree (tagged PDF): one structure element per [`Node`], its
//! marked content referenced by page and marked-content id, and the parent
//! tree that maps each page's marked content back to its element.

use pdf_writer::types::{StructRole, TableHeaderScope};
use pdf_writer::{Name, Pdf, Ref, TextStr};

use crate::layout::tag::{Node, Role, Scope, Tree};

/// The standard structure type written for a role.
fn struct_role(role: Role) -> StructRole {
    match role {
        Role::Document => StructRole::Document,
        Role::Div => StructRole::Div,
        Role::H(1) => StructRole::H1,
        Role::H(2) => StructRole::H2,
        Role::H(3) => StructRole::H3,
        Role::H(4) => StructRole::H4,
        Role::H(5) => StructRole::H5,
        Role::H(_) => StructRole::H6,
        Role::P => StructRole::P,
        Role::L => StructRole::L,
        Role::LI => StructRole::LI,
        Role::Lbl => StructRole::Lbl,
        Role::LBody => StructRole::LBody,
        Role::Table => StructRole::Table,
        Role::TR => StructRole::TR,
        Role::TH(_) => StructRole::TH,
        Role::TD => StructRole::TD,
        Role::Figure => StructRole::Figure,
    }
}

/// The tag name used on marked content of an element with `role`.
pub(crate) fn role_name(role: Role) -> Name<'static> {
    struct_role(role).to_name()
}

/// Whether an element is written: it has content or a written descendant.
/// Table cells are always written so that every row keeps all its cells.
fn kept(tree: &Tree, children: &[Vec<usize>], content: &[Vec<(usize, i32)>]) -> Vec<bool> {
    let mut keep = vec![false; tree.nodes.len()];
    // Children always come after their parent, so a reverse pass sees them first.
    for id in (0..tree.nodes.len()).rev() {
        keep[id] = !content[id].is_empty()
            || matches!(tree.nodes[id].role, Role::TH(_) | Role::TD | Role::Document)
            || children[id].iter().any(|&c| keep[c]);
    }
    keep
}

/// Writes the structure tree root `root_id`, its elements and its parent tree.
/// `mcids[page][mcid]` is the element whose content that marked-content id is.
pub(crate) fn write(
    pdf: &mut Pdf,
    alloc: &mut impl FnMut() -> Ref,
    root_id: Ref,
    tree: &Tree,
    pages: &[Ref],
    mcids: &[&[usize]],
) {
    let children = tree.children();
    let mut content: Vec<Vec<(usize, i32)>> = vec![Vec::new(); tree.nodes.len()];
    for (page, ids) in mcids.iter().enumerate() {
        for (mcid, &node) in ids.iter().enumerate() {
            if let Some(list) = content.get_mut(node) {
                list.push((page, i32::try_from(mcid).unwrap_or(i32::MAX)));
            }
        }
    }
    let keep = kept(tree, &children, &content);
    let refs: Vec<Option<Ref>> = keep.iter().map(|&k| k.then(&mut *alloc)).collect();

    for (id, node) in tree.nodes.iter().enumerate() {
        let Some(own) = refs[id] else { continue };
        let parent = if id == Tree::ROOT {
            root_id
        } else {
            refs[node.parent].unwrap_or(root_id)
        };
        write_element(
            pdf,
            own,
            parent,
            node,
            &content[id],
            &children[id],
            &refs,
            pages,
        );
    }

    // One array per page: the element of each marked-content id, by id.
    let arrays: Vec<Ref> = mcids
        .iter()
        .map(|ids| {
            let array_id = alloc();
            pdf.indirect(array_id)
                .array()
                .items(ids.iter().filter_map(|&n| refs.get(n).copied().flatten()));
            array_id
        })
        .collect();

    let mut root = pdf
        .indirect(root_id)
        .start::<pdf_writer::writers::StructTreeRoot>();
    if let Some(document) = refs[Tree::ROOT] {
        root.child(document);
    }
    {
        let mut parent_tree = root.parent_tree();
        let mut nums = parent_tree.nums();
        for (page, array) in arrays.iter().enumerate() {
            nums.insert(i32::try_from(page).unwrap_or(i32::MAX), *array);
        }
    }
    root.parent_tree_next_key(i32::try_from(mcids.len()).unwrap_or(i32::MAX));
}

/// Writes one structure element with its child elements, then its marked content.
#[allow(clippy::too_many_arguments)]
fn write_element(
    pdf: &mut Pdf,
    own: Ref,
    parent: Ref,
    node: &Node,
    content: &[(usize, i32)],
    children: &[usize],
    refs: &[Option<Ref>],
    pages: &[Ref],
) {
    let mut element = pdf.struct_element(own);
    element.kind(struct_role(node.role)).parent(parent);
    if let Some(alt) = &node.alt {
        element.alt(TextStr(alt));
    }
    if let Role::TH(scope) = node.role {
        element.attributes().push().table().scope(match scope {
            Scope::Column => TableHeaderScope::Column,
            Scope::Row => TableHeaderScope::Row,
        });
    }
    let kids: Vec<Ref> = children.iter().filter_map(|&c| refs[c]).collect();
    if kids.is_empty() && content.is_empty() {
        return;
    }
    // Content on a single page (most elements) is referenced by bare ids under the
    // element's /Pg, which keeps the tree small; otherwise each id names its page.
    let single_page = match content.first() {
        Some(&(first, _)) if content.iter().all(|&(p, _)| p == first) => pages.get(first),
        _ => None,
    };
    if let Some(&page_ref) = single_page {
        element.page(page_ref);
    }
    let mut k = element.children();
    for kid in kids {
        k.struct_element(kid);
    }
    for &(page, mcid) in content {
        match (single_page, pages.get(page)) {
            (Some(_), _) => {
                k.marked_content_id(mcid);
            }
            (None, Some(&page_ref)) => {
                k.marked_content_ref()
                    .marked_content_id(mcid)
                    .page(page_ref);
            }
            (None, None) => {}
        }
    }
}
