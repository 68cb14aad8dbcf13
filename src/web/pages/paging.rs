//! Server-side paging of the page lists: `?page=N` with the other filters kept in the links.

use serde_json::{Value, json};

/// Rows per page of the dashboard's lists.
pub const PER_PAGE: i64 = 25;

/// The paging of page number `page` (1-based; anything below is the first).
pub fn paging(page: Option<i64>) -> crate::store::Paging {
    let page = page.unwrap_or(1).max(1);
    crate::store::Paging {
        limit: PER_PAGE,
        offset: (page - 1).saturating_mul(PER_PAGE),
    }
}

/// The pager of a list: what is shown and links to the pages before and after, keeping the
/// non-empty `filters`.
pub fn pager(path: &str, filters: &[(&str, &str)], offset: i64, shown: usize, total: i64) -> Value {
    let page = offset / PER_PAGE + 1;
    let link = |p: i64| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in filters.iter().filter(|(_, v)| !v.is_empty()) {
            q.append_pair(k, v);
        }
        q.append_pair("page", &p.to_string());
        format!("{path}?{}", q.finish())
    };
    let to = offset + shown as i64;
    json!({
        "from": if shown == 0 { 0 } else { offset + 1 },
        "to": to,
        "total": total,
        "prev": (page > 1).then(|| link(page - 1)),
        "next": (to < total).then(|| link(page + 1)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pager_keeps_filters_and_stops_at_the_ends() {
        let p = pager("/apps", &[("q", "sim peg"), ("agency", "")], 25, 25, 60);
        assert_eq!(p["from"], 26);
        assert_eq!(p["to"], 50);
        assert_eq!(p["prev"], "/apps?q=sim+peg&page=1");
        assert_eq!(p["next"], "/apps?q=sim+peg&page=3");
        let last = pager("/apps", &[], 50, 10, 60);
        assert_eq!(last["next"], Value::Null);
        assert_eq!(paging(Some(0)).offset, 0);
        assert_eq!(paging(Some(3)).offset, 50);
    }
}
