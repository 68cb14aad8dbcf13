//! The server-room door: check-in starts a visit workflow, checkout records the exit step,
//! the incident book, the monthly recap, and the purge of personal data past retention.

use super::workflows::{AdvanceInput, Advanced, StartInput, invalid};
use super::{Actor, Event, Service, ServiceError};
use crate::auth::seal::Sealer;
use crate::i18n::Lang;
use crate::store::VisitStats;
use serde::Serialize;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// What the door records when a visitor leaves.
#[derive(Debug, Clone, Default)]
pub struct Checkout {
    /// Devices taken out ("name:serial").
    pub devices_out: Vec<String>,
    /// The identity card was returned against the badge.
    pub id_returned: bool,
    /// Note.
    pub note: String,
}

/// The monthly recap of server-room visits.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Recap {
    /// Month `YYYY-MM`.
    pub month: String,
    /// Visits that checked in.
    pub visits: usize,
    /// Visits still inside (no checkout).
    pub open: usize,
    /// Visits per institution, most first.
    pub institutions: Vec<(String, usize)>,
    /// Visits per purpose, most first.
    pub purposes: Vec<(String, usize)>,
    /// Mean length of finished visits, minutes.
    pub mean_minutes: f64,
    /// Longest finished visit, minutes.
    pub max_minutes: i64,
    /// Checkouts with a device mismatch.
    pub device_mismatches: usize,
    /// Checkouts where the ID was not returned against the badge.
    pub ids_not_returned: usize,
    /// Incidents of the month: (visit, note, by, at).
    pub incidents: Vec<(i64, String, String, String)>,
}

/// Aggregates the counts into a recap (pure).
pub fn recap(
    month: &str,
    stats: &VisitStats,
    incidents: Vec<(i64, String, String, String)>,
) -> Recap {
    let (mut total, mut done, mut max) = (0i64, 0usize, 0i64);
    for (checkin, checkout) in &stats.spans {
        if let Some(out) = checkout {
            let m = (*out - *checkin).whole_minutes().max(0);
            total += m;
            done += 1;
            max = max.max(m);
        }
    }
    let counts = |v: &[(String, i64)]| {
        v.iter()
            .map(|(k, n)| (k.clone(), usize::try_from(*n).unwrap_or(0)))
            .collect()
    };
    Recap {
        month: month.to_string(),
        visits: stats.spans.len(),
        open: stats.spans.iter().filter(|(_, o)| o.is_none()).count(),
        institutions: counts(&stats.institutions),
        purposes: counts(&stats.purposes),
        mean_minutes: if done == 0 {
            0.0
        } else {
            total as f64 / done as f64
        },
        max_minutes: max,
        device_mismatches: usize::try_from(stats.mismatches).unwrap_or(0),
        ids_not_returned: usize::try_from(stats.ids_kept).unwrap_or(0),
        incidents,
    }
}

/// The bounds of month `YYYY-MM` in Western Indonesia Time.
pub fn month_bounds(month: &str) -> Result<(OffsetDateTime, OffsetDateTime), ServiceError> {
    let bad = || {
        invalid(
            "month",
            format!("'{month}': bulan harus YYYY-MM / the month must be YYYY-MM"),
        )
    };
    let (y, m) = month.split_once('-').ok_or_else(bad)?;
    let year: i32 = y.parse().map_err(|_| bad())?;
    let mon: u8 = m.parse().map_err(|_| bad())?;
    let month_of = |mon: u8| time::Month::try_from(mon).map_err(|_| bad());
    let wib = time::UtcOffset::from_hms(7, 0, 0).map_err(|_| bad())?;
    let start = time::Date::from_calendar_date(year, month_of(mon)?, 1).map_err(|_| bad())?;
    let (ny, nm) = if mon == 12 {
        (year + 1, 1)
    } else {
        (year, mon + 1)
    };
    let end = time::Date::from_calendar_date(ny, month_of(nm)?, 1).map_err(|_| bad())?;
    Ok((
        start
            .midnight()
            .assume_offset(wib)
            .to_offset(time::UtcOffset::UTC),
        end.midnight()
            .assume_offset(wib)
            .to_offset(time::UtcOffset::UTC),
    ))
}

impl Service {
    /// Checks a visitor in: starts a visit workflow with the form recorded.
    pub async fn visit_checkin(
        &self,
        actor: &Actor,
        fields: BTreeMap<String, String>,
        sealer: &Sealer,
        lang: Lang,
    ) -> Result<Advanced, ServiceError> {
        let input = StartInput {
            fields,
            note: String::new(),
        };
        self.workflow_start(actor, "kunjungan", &input, sealer, lang)
            .await
    }

    /// Checks a visitor out: the exit step, with devices compared and the ID returned.
    pub async fn visit_checkout(
        &self,
        actor: &Actor,
        id: i64,
        out: &Checkout,
        sealer: &Sealer,
        lang: Lang,
    ) -> Result<Advanced, ServiceError> {
        let mut inputs = BTreeMap::new();
        inputs.insert("devices_out".to_string(), out.devices_out.join(","));
        inputs.insert(
            "id_returned".to_string(),
            if out.id_returned { "ya" } else { "tidak" }.to_string(),
        );
        let input = AdvanceInput {
            decision: None,
            note: out.note.clone(),
            inputs,
            attachment: None,
        };
        self.workflow_advance(actor, id, "keluar", &input, sealer, lang)
            .await
    }

    /// Writes an entry in the incident book of visit `id`.
    pub async fn visit_incident(
        &self,
        actor: &Actor,
        id: i64,
        note: &str,
    ) -> Result<i64, ServiceError> {
        self.require(actor, "workflow:visit")?;
        let row = self.visible_workflow(actor, id).await?;
        if row.kind != "kunjungan" || note.trim().is_empty() {
            return Err(invalid(
                "incident",
                "buku insiden hanya untuk kunjungan, dengan uraian / the incident book takes a visit and a description".into(),
            ));
        }
        let n = self
            .store
            .add_incident(id, note.trim(), &actor.name(), self.now())
            .await?;
        let mut e = Event::on("visit.incident", "workflow", id);
        e.after = Some(serde_json::json!({ "note": note.trim() }));
        self.audit(actor, e).await?;
        Ok(n)
    }

    /// The recap of month `YYYY-MM`.
    pub async fn visit_recap(&self, actor: &Actor, month: &str) -> Result<Recap, ServiceError> {
        self.require(actor, "workflow:visit")?;
        let (from, to) = month_bounds(month)?;
        let stats = self.store.visit_stats(from, to).await?;
        let incidents = self
            .store
            .incidents_between(from, to)
            .await?
            .into_iter()
            .map(|(w, n, b, at)| (w, n, b, crate::report::view::when(at, Lang::Id)))
            .collect();
        Ok(recap(month, &stats, incidents))
    }

    /// Purges the personal data of workflows closed longer than the retention period;
    /// returns how many were purged.
    pub async fn purge_personal_data(&self, actor: &Actor) -> Result<usize, ServiceError> {
        self.require(actor, "workflow:administer")?;
        let now = self.now();
        let before = now - time::Duration::days(i64::from(self.config.workflows.retention_days));
        let rows = self.store.purgeable(before).await?;
        for (id, fields) in &rows {
            let mut map: BTreeMap<String, String> =
                serde_json::from_str(fields).map_err(|e| ServiceError::Internal(e.to_string()))?;
            let row = self.store.workflow(*id).await?;
            let sop = super::workflows::sop_of(&row.kind)?;
            for f in sop.sop.fields.iter().filter(|f| f.kind.personal()) {
                if map.contains_key(&f.key) {
                    map.insert(f.key.clone(), "[dihapus / purged]".into());
                }
            }
            let text =
                serde_json::to_string(&map).map_err(|e| ServiceError::Internal(e.to_string()))?;
            self.store.purge_pii(*id, &text, now).await?;
            self.audit(
                actor,
                Event::on("workflow.personal-data.purge", "workflow", id),
            )
            .await?;
        }
        Ok(rows.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_bounded_in_wib_and_bad_ones_named() {
        let (a, b) = month_bounds("2026-12").expect("month");
        assert_eq!(a.to_string(), "2026-11-30 17:00:00.0 +00:00:00");
        assert_eq!(b.to_string(), "2026-12-31 17:00:00.0 +00:00:00");
        for bad in ["2026-13", "2026", "x-01"] {
            assert!(month_bounds(bad).expect_err(bad).to_string().contains(bad));
        }
    }

    #[test]
    fn recap_counts_durations_and_problems() {
        let t0 = OffsetDateTime::UNIX_EPOCH;
        let stats = VisitStats {
            institutions: vec![("A".into(), 2), ("B".into(), 1)],
            purposes: vec![("Pemeliharaan".into(), 3)],
            spans: vec![
                (t0, Some(t0 + time::Duration::minutes(30))),
                (t0, Some(t0 + time::Duration::minutes(90))),
                (t0, None),
            ],
            mismatches: 1,
            ids_kept: 0,
        };
        let r = recap("2026-12", &stats, vec![]);
        assert_eq!(r.visits, 3);
        assert_eq!(r.open, 1);
        assert_eq!(r.institutions[0], ("A".to_string(), 2));
        assert_eq!(r.mean_minutes, 60.0);
        assert_eq!(r.max_minutes, 90);
        assert_eq!(r.device_mismatches, 1);
    }
}
