//! ICMP echo ("ping") checks, IPv4 and IPv6: `count` echo requests 100 ms
//! apart, judged by how many replies are lost, timed by the median round
//! trip. Unprivileged ICMP datagram sockets where the kernel allows them
//! (`net.ipv4.ping_group_range`), raw sockets (CAP_NET_RAW) otherwise.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use async_trait::async_trait;
use surge_ping::{Client, Config, ICMP, PingIdentifier, PingSequence, SurgeError};

use super::{Attempted, Builder, Probe};
use crate::options::FieldError;
use crate::options::Table;
use crate::options::{Kind, opt};

const SPACING: Duration = Duration::from_millis(100);
/// The longest an echo request waits for its reply.
const MAX_REPLY_WAIT: Duration = Duration::from_secs(2);
const PAYLOAD: &[u8] = b"checkup-rs icmp check";

pub const KIND: Kind<Builder> = Kind {
    name: "icmp",
    about: "ICMP echo (ping) to a host, IPv4 or IPv6",
    options: &[
        opt(
            "host",
            "\"db.example.com\"",
            "a name or an IPv4/IPv6 address (required)",
        ),
        opt(
            "count",
            "3",
            "echo requests per attempt, 100 ms apart (default 3)",
        ),
        opt(
            "loss_degraded",
            "1",
            "percent of replies lost that makes it degraded (default 1: any)",
        ),
        opt(
            "loss_down",
            "100",
            "percent lost that makes it down (default 100: all)",
        ),
        opt(
            "ip",
            "\"v6\"",
            "\"v4\" or \"v6\": which address of a name to use (default: the first)",
        ),
    ],
    build,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Any,
    V4,
    V6,
}

pub struct IcmpProbe {
    host: String,
    family: Family,
    count: u16,
    loss_degraded: u32,
    loss_down: u32,
    reply_wait: Duration,
}

fn build(table: &Table) -> Result<Box<dyn Probe>, FieldError> {
    let host = table.required_text("host")?.trim().to_string();
    if host.is_empty() || host.contains(['/', ' ']) {
        return Err(table.error(
            "host",
            "must be a host name or an IP address, without a scheme, path or port",
        ));
    }
    let family = match table.text("ip")?.as_deref() {
        None => Family::Any,
        Some("v4") => Family::V4,
        Some("v6") => Family::V6,
        Some(other) => return Err(table.error("ip", format!("{other:?} is not \"v4\" or \"v6\""))),
    };
    let count = table.integer("count", 1..=100)?.unwrap_or(3) as u16;
    let loss_degraded = table.integer("loss_degraded", 1..=100)?.unwrap_or(1) as u32;
    let loss_down = table.integer("loss_down", 1..=100)?.unwrap_or(100) as u32;
    if loss_degraded > loss_down {
        return Err(table.error(
            "loss_degraded",
            format!("{loss_degraded} % is more than loss_down ({loss_down} %)"),
        ));
    }
    // Replies must be able to arrive within the check's timeout.
    let timeout = table
        .positive_duration("timeout")?
        .unwrap_or(Duration::from_secs(10));
    let sending = SPACING * u32::from(count - 1);
    if timeout <= sending {
        return Err(table.error(
            "count",
            format!(
                "{count} echo requests take {} to send, longer than the timeout ({})",
                humantime::format_duration(sending),
                humantime::format_duration(timeout)
            ),
        ));
    }
    Ok(Box::new(IcmpProbe {
        host,
        family,
        count,
        loss_degraded,
        loss_down,
        reply_wait: (timeout - sending).mul_f32(0.9).min(MAX_REPLY_WAIT),
    }))
}

impl IcmpProbe {
    /// The address to ping: the host itself, or its first name lookup
    /// answer of the wanted family.
    async fn address(&self) -> Result<IpAddr, String> {
        let wanted = |ip: &IpAddr| match self.family {
            Family::Any => true,
            Family::V4 => ip.is_ipv4(),
            Family::V6 => ip.is_ipv6(),
        };
        let literal = self.host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<IpAddr>() {
            return Ok(ip);
        }
        let found: Vec<SocketAddr> = tokio::net::lookup_host((self.host.as_str(), 0))
            .await
            .map_err(|e| format!("cannot resolve {}: {e}", self.host))?
            .collect();
        found
            .iter()
            .map(SocketAddr::ip)
            .find(wanted)
            .ok_or_else(|| {
                format!(
                    "{} has no {} address",
                    self.host,
                    if self.family == Family::V6 {
                        "IPv6"
                    } else {
                        "IPv4"
                    }
                )
            })
    }
}

/// Why no ICMP socket could be opened, with what would allow one.
fn socket_error(e: &std::io::Error, ip: IpAddr) -> String {
    if e.kind() == std::io::ErrorKind::PermissionDenied {
        // One sysctl governs both IPv4 and IPv6 ping sockets.
        format!(
            "not allowed to send ICMP{}: unprivileged ping is off for this user's group \
             (sysctl net.ipv4.ping_group_range) and the checker lacks CAP_NET_RAW \
             (systemd: AmbientCapabilities=CAP_NET_RAW)",
            if ip.is_ipv6() { "v6" } else { "" }
        )
    } else {
        format!("cannot open an ICMP socket: {}", describe_io(e))
    }
}

#[async_trait]
impl Probe for IcmpProbe {
    fn endpoint(&self) -> String {
        format!("icmp://{}", self.host)
    }

    async fn attempt(&self) -> Result<Attempted, String> {
        let ip = self.address().await?;
        let config = Config::builder()
            .kind(if ip.is_ipv4() { ICMP::V4 } else { ICMP::V6 })
            .build();
        let client = Client::new(&config).map_err(|e| socket_error(&e, ip))?;
        let identifier = PingIdentifier(std::process::id() as u16 ^ rand_u16());
        let client = &client;
        let echoes = (0..self.count).map(|seq| async move {
            tokio::time::sleep(SPACING * u32::from(seq)).await;
            // One pinger per request: they share the client's socket.
            let mut pinger = client.pinger(ip, identifier).await;
            pinger.timeout(self.reply_wait);
            pinger
                .ping(PingSequence(seq), PAYLOAD)
                .await
                .map(|(_, rtt)| rtt)
        });
        let outcomes = futures::future::join_all(echoes).await;
        let mut rtts: Vec<Duration> = Vec::new();
        let mut failure: Option<String> = None;
        for outcome in outcomes {
            match outcome {
                Ok(rtt) => rtts.push(rtt),
                Err(SurgeError::Timeout { .. }) => {}
                Err(e) => {
                    failure.get_or_insert_with(|| describe(&e));
                }
            }
        }
        judge(
            ip,
            u32::from(self.count),
            rtts,
            failure,
            self.loss_degraded,
            self.loss_down,
        )
    }
}

/// The verdict on `count` echo requests of which `rtts` were answered;
/// `failure` is why a request could not be sent, if one could not.
fn judge(
    ip: IpAddr,
    count: u32,
    mut rtts: Vec<Duration>,
    failure: Option<String>,
    loss_degraded: u32,
    loss_down: u32,
) -> Result<Attempted, String> {
    let lost = count - rtts.len() as u32;
    let loss = lost * 100 / count;
    if rtts.is_empty() {
        return Err(match failure {
            Some(why) => format!("cannot ping {ip}: {why}"),
            None => format!("no echo reply from {ip} ({count} requests)"),
        });
    }
    let lost_words = format!("{lost} of {count} echo replies from {ip} lost ({loss} %)");
    if loss >= loss_down {
        return Err(lost_words);
    }
    rtts.sort();
    let median = rtts[rtts.len() / 2];
    let warning = (loss >= loss_degraded).then_some(lost_words);
    Ok(Attempted::Measured(median, warning))
}

/// A ping failure in words: "network is unreachable" rather than the
/// crate's "io error: Network is unreachable (os error 101)".
fn describe(e: &SurgeError) -> String {
    match e {
        SurgeError::IOError(io) => describe_io(io),
        other => other.to_string(),
    }
}

/// An OS error as a person reads it: "network is unreachable".
fn describe_io(e: &std::io::Error) -> String {
    let text = super::tcp::describe_io(e);
    let text = match text.rsplit_once(" (os error") {
        Some((words, _)) => words.to_string(),
        None => text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text,
    }
}

/// A little randomness for the echo identifier, so two checkers on one
/// host (raw sockets share replies) tell theirs apart.
fn rand_u16() -> u16 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos();
    (nanos ^ (nanos >> 16)) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 7));

    fn ms(list: &[u64]) -> Vec<Duration> {
        list.iter().map(|m| Duration::from_millis(*m)).collect()
    }

    #[test]
    fn loss_decides_between_healthy_degraded_and_down() {
        assert_eq!(
            judge(IP, 3, ms(&[9, 3, 5]), None, 1, 100),
            Ok(Attempted::Measured(Duration::from_millis(5), None))
        );
        assert_eq!(
            judge(IP, 4, ms(&[4, 2, 8]), None, 20, 50),
            Ok(Attempted::Measured(
                Duration::from_millis(4),
                Some("1 of 4 echo replies from 192.0.2.7 lost (25 %)".into())
            ))
        );
        assert_eq!(
            judge(IP, 4, ms(&[4, 2, 8]), None, 30, 50),
            Ok(Attempted::Measured(Duration::from_millis(4), None)),
            "25 % is under a 30 % threshold"
        );
        assert_eq!(
            judge(IP, 4, ms(&[4, 2]), None, 20, 50),
            Err("2 of 4 echo replies from 192.0.2.7 lost (50 %)".into())
        );
        assert_eq!(
            judge(IP, 3, vec![], None, 1, 100),
            Err("no echo reply from 192.0.2.7 (3 requests)".into())
        );
        assert_eq!(
            judge(IP, 3, vec![], Some("network is unreachable".into()), 1, 100),
            Err("cannot ping 192.0.2.7: network is unreachable".into())
        );
    }
}
