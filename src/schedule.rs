//! Crontab schedules as administrators write them, converted for the `cron` crate.
//!
//! Crontab numbers weekdays 0–7 with 0 and 7 = Sunday; the `cron` crate counts 1 = Sunday.
//! Numbers are therefore never passed through: the weekday field is expanded to names.
//! Crontab also fires when *either* day-of-month or day-of-week matches if both are
//! restricted; that case becomes two schedules whose run times are merged.

use chrono::{DateTime, FixedOffset, Utc};
use std::str::FromStr;

/// A schedule could not be understood.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ScheduleError {
    /// The expression is malformed.
    #[error(
        "jadwal cron tidak sah / invalid cron schedule '{expr}': {reason} (contoh/example: \"0 2 * * 1\" = setiap Senin 02:00 / every Monday 02:00)"
    )]
    Invalid {
        /// The expression.
        expr: String,
        /// What is wrong.
        reason: String,
    },
    /// The time zone is not supported.
    #[error(
        "zona waktu tidak dikenal / unknown time zone '{0}': gunakan / use Asia/Jakarta (WIB), Asia/Pontianak, Asia/Makassar (WITA), Asia/Jayapura (WIT), UTC, atau/or an offset like +07:00"
    )]
    TimeZone(String),
}

/// A parsed crontab schedule.
#[derive(Debug, Clone)]
pub struct CronSpec {
    source: String,
    schedules: Vec<cron::Schedule>,
}

const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

impl CronSpec {
    /// Parses a 5-field crontab line (or 6/7 fields with seconds first, or `@daily` and friends).
    pub fn parse(expr: &str) -> Result<CronSpec, ScheduleError> {
        let bad = |reason: String| ScheduleError::Invalid {
            expr: expr.to_string(),
            reason,
        };
        let trimmed = expr.trim();
        if trimmed.starts_with('@') {
            let six = match trimmed {
                "@yearly" | "@annually" => "0 0 0 1 1 *",
                "@monthly" => "0 0 0 1 * *",
                "@weekly" => "0 0 0 * * SUN",
                "@daily" | "@midnight" => "0 0 0 * * *",
                "@hourly" => "0 0 * * * *",
                other => return Err(bad(format!("unsupported macro {other}"))),
            };
            let s = cron::Schedule::from_str(six).map_err(|e| bad(e.to_string()))?;
            return Ok(CronSpec {
                source: trimmed.to_string(),
                schedules: vec![s],
            });
        }
        let mut f: Vec<String> = trimmed.split_whitespace().map(str::to_string).collect();
        match f.len() {
            5 => f.insert(0, "0".into()),
            6 | 7 => {}
            n => {
                return Err(bad(format!(
                    "expected 5 fields (minute hour day month weekday), found {n}"
                )));
            }
        }
        let dow_restricted = !matches!(f[5].as_str(), "*" | "?");
        let dom_restricted = !matches!(f[3].as_str(), "*" | "?");
        f[5] = expand_weekdays(&f[5]).map_err(bad)?;
        let build = |fields: &[String]| {
            cron::Schedule::from_str(&fields.join(" ")).map_err(|e| bad(e.to_string()))
        };
        let schedules = if dow_restricted && dom_restricted {
            let mut by_dom = f.clone();
            by_dom[5] = "*".into();
            let mut by_dow = f.clone();
            by_dow[3] = "*".into();
            vec![build(&by_dom)?, build(&by_dow)?]
        } else {
            vec![build(&f)?]
        };
        Ok(CronSpec {
            source: trimmed.to_string(),
            schedules,
        })
    }

    /// The expression as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The next `n` run times strictly after `after`, in `after`'s offset.
    pub fn upcoming(&self, after: DateTime<FixedOffset>, n: usize) -> Vec<DateTime<FixedOffset>> {
        let mut all: Vec<DateTime<FixedOffset>> = self
            .schedules
            .iter()
            .flat_map(|s| s.after(&after).take(n))
            .collect();
        all.sort();
        all.dedup();
        all.truncate(n);
        all
    }

    /// The first run time strictly after `after`.
    pub fn next_after(&self, after: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
        self.upcoming(after, 1).into_iter().next()
    }
}

/// Expands a crontab weekday field (numbers 0–7, names, ranges, steps, lists) into day names.
fn expand_weekdays(field: &str) -> Result<String, String> {
    if matches!(field, "*" | "?") {
        return Ok(field.to_string());
    }
    let mut days = [false; 7];
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (
                r,
                s.parse::<usize>()
                    .map_err(|_| format!("bad step '{s}' in weekday field"))?,
            ),
            None => (part, 1),
        };
        if step == 0 {
            return Err("step 0 in weekday field".into());
        }
        let (lo, hi) = if range == "*" {
            (0, 6)
        } else if let Some((a, b)) = range.split_once('-') {
            (day_number(a)?, day_number(b)?)
        } else {
            let d = day_number(range)?;
            (d, if part.contains('/') { 6 } else { d })
        };
        if lo > hi {
            return Err(format!("weekday range '{range}' runs backwards"));
        }
        for d in (lo..=hi).step_by(step) {
            days[d % 7] = true;
        }
    }
    let names: Vec<&str> = (0..7).filter(|&d| days[d]).map(|d| DAY_NAMES[d]).collect();
    Ok(if names.len() == 7 {
        "*".into()
    } else {
        names.join(",")
    })
}

/// Crontab weekday number (0–7) or name to 0–7 (7 kept so ranges like 5-7 work).
fn day_number(s: &str) -> Result<usize, String> {
    if let Ok(n) = s.parse::<usize>() {
        return if n <= 7 {
            Ok(n)
        } else {
            Err(format!("weekday {n} is outside 0-7"))
        };
    }
    DAY_NAMES
        .iter()
        .position(|d| d.eq_ignore_ascii_case(s))
        .ok_or_else(|| format!("unknown weekday '{s}'"))
}

/// Resolves the time zones Indonesian offices use (none observe daylight saving).
pub fn timezone(name: &str) -> Result<FixedOffset, ScheduleError> {
    let hours = match name.trim() {
        "Asia/Jakarta" | "Asia/Pontianak" | "WIB" => Some(7),
        "Asia/Makassar" | "WITA" => Some(8),
        "Asia/Jayapura" | "WIT" => Some(9),
        "UTC" | "Etc/UTC" | "Z" => Some(0),
        _ => None,
    };
    if let Some(h) = hours {
        return FixedOffset::east_opt(h * 3600).ok_or_else(|| ScheduleError::TimeZone(name.into()));
    }
    let s = name.trim();
    let sign = match s.chars().next() {
        Some('+') => 1,
        Some('-') => -1,
        _ => return Err(ScheduleError::TimeZone(name.into())),
    };
    let (h, m) = s[1..].split_once(':').unwrap_or((&s[1..], "0"));
    let (h, m): (i32, i32) = match (h.parse(), m.parse()) {
        (Ok(h), Ok(m)) if h <= 14 && m < 60 => (h, m),
        _ => return Err(ScheduleError::TimeZone(name.into())),
    };
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
        .ok_or_else(|| ScheduleError::TimeZone(name.into()))
}

/// Now in the given offset.
pub fn now_in(tz: FixedOffset) -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&tz)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, TimeZone, Timelike, Weekday};

    fn wib(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<FixedOffset> {
        timezone("Asia/Jakarta")
            .unwrap()
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .unwrap()
    }

    #[test]
    fn monday_is_one_as_in_crontab() {
        let s = CronSpec::parse("0 2 * * 1").unwrap();
        // 2026-11-22 is a Sunday.
        let next = s.upcoming(wib(2026, 11, 22, 12, 0), 3);
        assert_eq!(next.len(), 3);
        for t in &next {
            assert_eq!(t.weekday(), Weekday::Mon, "{t}");
            assert_eq!((t.hour(), t.minute()), (2, 0));
        }
        assert_eq!(next[0], wib(2026, 11, 23, 2, 0));
    }

    #[test]
    fn sunday_is_zero_and_seven() {
        for e in ["30 6 * * 0", "30 6 * * 7", "30 6 * * sun"] {
            let t = CronSpec::parse(e)
                .unwrap()
                .next_after(wib(2026, 11, 23, 0, 0))
                .unwrap();
            assert_eq!(t.weekday(), Weekday::Sun, "{e}");
        }
    }

    #[test]
    fn weekday_ranges_lists_and_steps() {
        assert_eq!(expand_weekdays("1-5").unwrap(), "MON,TUE,WED,THU,FRI");
        assert_eq!(expand_weekdays("5-7").unwrap(), "SUN,FRI,SAT");
        assert_eq!(expand_weekdays("*/2").unwrap(), "SUN,TUE,THU,SAT");
        assert_eq!(expand_weekdays("1-5/2").unwrap(), "MON,WED,FRI");
        assert_eq!(expand_weekdays("0-7").unwrap(), "*");
        assert!(expand_weekdays("8").is_err());
        assert!(expand_weekdays("5-1").is_err());
    }

    #[test]
    fn steps_in_minutes_and_month_edges() {
        let s = CronSpec::parse("*/15 * * * *").unwrap();
        let t = s.upcoming(wib(2026, 1, 1, 10, 7), 2);
        assert_eq!(t[0], wib(2026, 1, 1, 10, 15));
        assert_eq!(t[1], wib(2026, 1, 1, 10, 30));
        // Day 31 skips months without one.
        let s = CronSpec::parse("0 0 31 * *").unwrap();
        let t = s.upcoming(wib(2026, 1, 31, 12, 0), 2);
        assert_eq!((t[0].month(), t[1].month()), (3, 5));
        // 29 February only in leap years.
        let t = CronSpec::parse("0 0 29 2 *")
            .unwrap()
            .next_after(wib(2026, 3, 1, 0, 0))
            .unwrap();
        assert_eq!(t.year(), 2028);
    }

    #[test]
    fn day_of_month_or_weekday_as_crontab_does() {
        // "1st of the month OR any Monday".
        let s = CronSpec::parse("0 3 1 * 1").unwrap();
        let t = s.upcoming(wib(2026, 11, 22, 0, 0), 3);
        assert_eq!(t[0], wib(2026, 11, 23, 3, 0)); // Monday
        assert_eq!(t[1], wib(2026, 11, 30, 3, 0)); // Monday
        assert_eq!(t[2], wib(2026, 12, 1, 3, 0)); // the 1st, a Tuesday
    }

    #[test]
    fn wib_wita_wit_are_fixed_offsets() {
        assert_eq!(
            timezone("Asia/Jakarta").unwrap().local_minus_utc(),
            7 * 3600
        );
        assert_eq!(
            timezone("Asia/Makassar").unwrap().local_minus_utc(),
            8 * 3600
        );
        assert_eq!(
            timezone("Asia/Jayapura").unwrap().local_minus_utc(),
            9 * 3600
        );
        assert_eq!(
            timezone("+05:30").unwrap().local_minus_utc(),
            5 * 3600 + 1800
        );
        assert!(timezone("Europe/Nowhere").is_err());
        // 02:00 WIB is 19:00 UTC the day before.
        let t = CronSpec::parse("0 2 * * 1")
            .unwrap()
            .next_after(wib(2026, 11, 22, 12, 0))
            .unwrap();
        assert_eq!(t.with_timezone(&Utc).hour(), 19);
    }

    #[test]
    fn bad_expressions_say_what_is_wrong() {
        let e = CronSpec::parse("0 2 * *").unwrap_err().to_string();
        assert!(e.contains("expected 5 fields"), "{e}");
        assert!(CronSpec::parse("61 * * * *").is_err());
        assert!(CronSpec::parse("@reboot").is_err());
        assert!(CronSpec::parse("0 0 * * 1").is_ok());
        assert!(
            CronSpec::parse("0 0 2 * * 1").is_ok(),
            "six fields with seconds"
        );
    }
}
