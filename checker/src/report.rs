//! The table `checker check` prints: one line per check, coloured only when
//! the output is a terminal (and `NO_COLOR` is unset).

use std::io::IsTerminal;

use checkup_model::{CheckResult, Status};

use crate::checks::format_nanos;
use crate::round::Round;

/// Renders the round as a table with a summary line.
pub fn render(round: &Round, color: bool) -> String {
    let rows: Vec<[String; 5]> = round
        .results
        .iter()
        .map(|r| {
            let detail = if r.notice.is_empty() {
                r.message.clone()
            } else {
                r.notice.clone()
            };
            [
                r.status.as_str().to_uppercase(),
                r.title.clone(),
                r.endpoint.clone(),
                median(r),
                detail,
            ]
        })
        .collect();
    let header = ["STATUS", "CHECK", "ENDPOINT", "MEDIAN", "DETAIL"].map(String::from);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String; 5], status: Option<Status>| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let pad = widths[i].saturating_sub(cell.chars().count());
            let text = match (i, status) {
                (0, Some(s)) if color => paint(s, cell),
                _ => cell.clone(),
            };
            out.push_str(&text);
            if i + 1 < cells.len() {
                out.push_str(&" ".repeat(pad + 2));
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(&header, None);
    for (row, r) in rows.iter().zip(&round.results) {
        out.push_str(&line(row, Some(r.status)));
    }
    out.push_str(&summary(round));
    out
}

fn median(r: &CheckResult) -> String {
    if r.times.is_empty() {
        "-".into()
    } else {
        format_nanos(r.stats().median)
    }
}

fn summary(round: &Round) -> String {
    let count = |s: Status| round.results.iter().filter(|r| r.status == s).count();
    format!(
        "\n{} checks: {} healthy, {} degraded, {} down (round took {})\n",
        round.results.len(),
        count(Status::Healthy),
        count(Status::Degraded),
        count(Status::Down),
        format_nanos(crate::checks::duration_nanos(round.took)),
    )
}

fn paint(status: Status, text: &str) -> String {
    let code = match status {
        Status::Healthy => "32",
        Status::Degraded => "33",
        Status::Down => "31;1",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// Colour when stdout is a terminal and the user has not opted out.
pub fn stdout_wants_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use checkup_model::Attempt;
    use std::time::Duration;

    #[test]
    fn table_lines_up_and_summarises() {
        let mk = |title: &str, status, notice: &str| CheckResult {
            title: title.into(),
            endpoint: format!("http://{title}.test/"),
            timestamp: 1,
            times: vec![Attempt {
                rtt: 12_000_000,
                error: String::new(),
            }],
            threshold: 0,
            status,
            notice: notice.into(),
            message: String::new(),
            node: None,
            kind: None,
            maintenance: false,
        };
        let round = Round {
            started: 1,
            took: Duration::from_millis(30),
            results: vec![
                mk("web", Status::Healthy, ""),
                mk("api-long", Status::Down, "connection failed"),
            ],
        };
        let out = render(&round, false);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "STATUS   CHECK     ENDPOINT               MEDIAN  DETAIL"
        );
        assert_eq!(lines[1], "HEALTHY  web       http://web.test/       12ms");
        assert_eq!(
            lines[2],
            "DOWN     api-long  http://api-long.test/  12ms    connection failed"
        );
        assert_eq!(
            lines[4],
            "2 checks: 1 healthy, 0 degraded, 1 down (round took 30ms)"
        );
        assert!(!out.contains('\x1b'));
        assert!(render(&round, true).contains("\x1b[31;1mDOWN\x1b[0m"));
    }
}
