//! DNS checks: one query (A, AAAA, CNAME, MX, TXT or NS) to a given server or
//! the system's resolver, over UDP (TCP when the answer is truncated), with
//! conditions on the response code and the answers.

use std::net::SocketAddr;
use std::str::FromStr;

use async_trait::async_trait;
use hickory_proto::op::{Message, Query, ResponseCode};
use hickory_proto::rr::{Name, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

use super::{Attempted, Builder, Probe};
use crate::options::FieldError;
use crate::options::Table;
use crate::options::{Kind, opt};

pub const KIND: Kind<Builder> = Kind {
    name: "dns",
    about: "one DNS query, UDP with TCP fallback, judged by response code and answers",
    options: &[
        opt("query", "\"example.com\"", "the name to look up (required)"),
        opt(
            "record_type",
            "\"A\"",
            "A (default), AAAA, CNAME, MX, TXT or NS",
        ),
        opt(
            "server",
            "\"192.0.2.53\"",
            "ip or ip:port of the server (default: the first nameserver of /etc/resolv.conf)",
        ),
        opt(
            "expected_rcode",
            "\"NOERROR\"",
            "the response code expected (default NOERROR)",
        ),
        opt(
            "answers_contain",
            "[\"10 mail.example.com\"]",
            "the answers must include these",
        ),
        opt(
            "answers_equal",
            "[\"192.0.2.1\"]",
            "the answers must be exactly these, in any order",
        ),
    ],
    build,
};

const RECORD_TYPES: [&str; 6] = ["A", "AAAA", "CNAME", "MX", "TXT", "NS"];
const RCODES: [(&str, ResponseCode); 6] = [
    ("NOERROR", ResponseCode::NoError),
    ("NXDOMAIN", ResponseCode::NXDomain),
    ("SERVFAIL", ResponseCode::ServFail),
    ("REFUSED", ResponseCode::Refused),
    ("FORMERR", ResponseCode::FormErr),
    ("NOTIMP", ResponseCode::NotImp),
];

pub struct DnsProbe {
    name: Name,
    record_type: RecordType,
    /// `None`: the system resolver, looked up per attempt.
    server: Option<SocketAddr>,
    expected_rcode: ResponseCode,
    answers_contain: Vec<String>,
    answers_equal: Option<Vec<String>>,
}

fn build(table: &Table) -> Result<Box<dyn Probe>, FieldError> {
    let query = table.required_text("query")?;
    let name = Name::from_str_relaxed(query.trim_end_matches('.'))
        .map(|mut n| {
            n.set_fqdn(true);
            n
        })
        .map_err(|e| table.error("query", format!("{query:?} is not a domain name: {e}")))?;
    let record_type = table
        .parse("record_type", |text| {
            let upper = text.to_ascii_uppercase();
            if !RECORD_TYPES.contains(&upper.as_str()) {
                return Err(format!(
                    "must be one of {}, not {text:?}",
                    RECORD_TYPES.join(", ")
                ));
            }
            Ok(RecordType::from_str(&upper).expect("listed types parse"))
        })?
        .unwrap_or(RecordType::A);
    let server = table.parse("server", |text| {
        parse_server(text)
            .ok_or_else(|| format!("{text:?} is not an IP address, optionally with :port"))
    })?;
    let expected_rcode = table
        .parse("expected_rcode", |text| {
            RCODES
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(text))
                .map(|(_, c)| *c)
                .ok_or_else(|| {
                    let names: Vec<&str> = RCODES.iter().map(|(n, _)| *n).collect();
                    format!("must be one of {}, not {text:?}", names.join(", "))
                })
        })?
        .unwrap_or(ResponseCode::NoError);
    Ok(Box::new(DnsProbe {
        name,
        record_type,
        server,
        expected_rcode,
        answers_contain: table.text_list("answers_contain")?.unwrap_or_default(),
        answers_equal: table.text_list("answers_equal")?,
    }))
}

fn parse_server(text: &str) -> Option<SocketAddr> {
    text.parse::<SocketAddr>().ok().or_else(|| {
        text.trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .ok()
            .map(|ip| SocketAddr::new(ip, 53))
    })
}

/// The first `nameserver` in /etc/resolv.conf.
fn system_resolver() -> Result<SocketAddr, String> {
    let conf = std::fs::read_to_string("/etc/resolv.conf")
        .map_err(|e| format!("cannot read /etc/resolv.conf: {e}"))?;
    conf.lines()
        .filter_map(|l| l.trim().strip_prefix("nameserver"))
        .find_map(|rest| parse_server(rest.trim()))
        .ok_or_else(|| "no nameserver in /etc/resolv.conf".to_string())
}

fn rcode_name(code: ResponseCode) -> String {
    RCODES
        .iter()
        .find(|(_, c)| *c == code)
        .map(|(n, _)| n.to_string())
        .unwrap_or_else(|| code.to_string())
}

/// Sends one query over UDP, and again over TCP if the answer was truncated.
async fn exchange(server: SocketAddr, query: &[u8], id: u16) -> Result<Message, String> {
    let bind: SocketAddr = if server.is_ipv4() {
        "0.0.0.0:0".parse().unwrap()
    } else {
        "[::]:0".parse().unwrap()
    };
    let socket = UdpSocket::bind(bind)
        .await
        .map_err(|e| format!("cannot open a UDP socket: {e}"))?;
    socket
        .connect(server)
        .await
        .map_err(|e| format!("cannot reach {server}: {e}"))?;
    socket
        .send(query)
        .await
        .map_err(|e| format!("cannot send to {server}: {e}"))?;
    let mut buf = vec![0u8; 4096];
    let answer = loop {
        let n = socket
            .recv(&mut buf)
            .await
            .map_err(|e| format!("no answer from {server}: {}", super::tcp::describe_io(&e)))?;
        match Message::from_vec(&buf[..n]) {
            // Ignore stray datagrams that are not the answer to this query.
            Ok(m) if m.metadata.id == id => break m,
            _ => continue,
        }
    };
    if !answer.metadata.truncation {
        return Ok(answer);
    }
    let mut stream = TcpStream::connect(server)
        .await
        .map_err(|e| format!("cannot connect to {server} over TCP: {e}"))?;
    let len = u16::try_from(query.len()).map_err(|_| "query too long")?;
    stream
        .write_all(&len.to_be_bytes())
        .await
        .map_err(|e| e.to_string())?;
    stream.write_all(query).await.map_err(|e| e.to_string())?;
    let len = stream
        .read_u16()
        .await
        .map_err(|e| format!("no TCP answer from {server}: {e}"))?;
    let mut buf = vec![0u8; len as usize];
    stream
        .read_exact(&mut buf)
        .await
        .map_err(|e| format!("short TCP answer from {server}: {e}"))?;
    Message::from_vec(&buf).map_err(|e| format!("unreadable answer from {server}: {e}"))
}

#[async_trait]
impl Probe for DnsProbe {
    fn endpoint(&self) -> String {
        let name = self.name.to_utf8();
        let name = name.trim_end_matches('.');
        match self.server {
            Some(server) => format!("{name} {} @{server}", self.record_type),
            None => format!("{name} {}", self.record_type),
        }
    }

    async fn attempt(&self) -> Result<Attempted, String> {
        let server = match self.server {
            Some(s) => s,
            None => system_resolver()?,
        };
        let mut message = Message::query();
        message.metadata.recursion_desired = true;
        message.add_query(Query::query(self.name.clone(), self.record_type));
        let id = message.metadata.id;
        let bytes = message
            .to_vec()
            .map_err(|e| format!("cannot encode the query: {e}"))?;
        let answer = exchange(server, &bytes, id).await?;
        let rcode = answer.metadata.response_code;
        if rcode != self.expected_rcode {
            let name = self.name.to_utf8();
            return Err(match rcode {
                ResponseCode::NXDomain => {
                    format!("{} does not exist (NXDOMAIN)", name.trim_end_matches('.'))
                }
                other => format!(
                    "response code {}, expected {}",
                    rcode_name(other),
                    rcode_name(self.expected_rcode)
                ),
            });
        }
        let mut answers: Vec<String> = answer
            .answers
            .iter()
            .filter(|r| r.record_type() == self.record_type)
            .map(|r| {
                r.data
                    .to_string()
                    .trim_end_matches('.')
                    .trim_matches('"')
                    .to_string()
            })
            .collect();
        answers.sort();
        if let Some(missing) = self
            .answers_contain
            .iter()
            .find(|want| !answers.iter().any(|a| a == *want))
        {
            return Err(format!(
                "answers [{}] do not include {missing}",
                answers.join(", ")
            ));
        }
        if let Some(want) = &self.answers_equal {
            let mut want = want.clone();
            want.sort();
            if want != answers {
                return Err(format!(
                    "answers [{}] are not [{}]",
                    answers.join(", "),
                    want.join(", ")
                ));
            }
        }
        Ok(Attempted::Ok)
    }
}
