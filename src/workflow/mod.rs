//! The workflow engine shared by every SOP: definitions as data, the timeline of due, late
//! and overdue steps, and the rules for recording a step. Pure: no storage, no clock.

pub mod advance;
pub mod def;
pub mod fields;
pub mod timeline;

pub use advance::{AdvanceError, Party, check, holds_role};
pub use def::{Condition, FieldDef, FieldKind, Sop, SopError, SopMeta, StepDef};
pub use timeline::{
    Decided, Status, StepRecord, StepState, TimelineRow, current, status, timeline,
};

/// The built-in SOP workflows besides the evaluation SOP: (kind, origin, text).
pub const BUILTIN: [(&str, &str, &str); 3] = [
    (
        "akses",
        "checklists/sop/akses.toml",
        include_str!("../../checklists/sop/akses.toml"),
    ),
    (
        "pelanggaran",
        "checklists/sop/pelanggaran.toml",
        include_str!("../../checklists/sop/pelanggaran.toml"),
    ),
    (
        "kunjungan",
        "checklists/sop/kunjungan.toml",
        include_str!("../../checklists/sop/kunjungan.toml"),
    ),
];

/// The built-in workflow SOP of `kind`.
pub fn builtin(kind: &str) -> Option<Result<Sop, SopError>> {
    BUILTIN
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map(|(_, origin, text)| Sop::parse(origin, text))
}

/// The kinds, for messages.
pub fn kinds() -> String {
    BUILTIN
        .iter()
        .map(|(k, _, _)| *k)
        .collect::<Vec<_>>()
        .join("|")
}
