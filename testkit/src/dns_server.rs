//! A small authoritative DNS server on loopback (UDP), answering from a fixed
//! table: names it does not know get NXDOMAIN, and one name never answers.

use std::net::SocketAddr;
use std::str::FromStr;

use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA, CNAME, MX, NS, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};

/// A name that the server receives queries for and never answers.
pub const SILENT_NAME: &str = "silent.test.";

pub struct DnsServer {
    pub addr: SocketAddr,
}

/// Records as (name, type, value): "A" 1.2.3.4, "MX" "10 mail.test", "TXT" "v=1".
pub async fn start(records: &[(&str, &str, &str)]) -> DnsServer {
    let table: Vec<Record> = records.iter().map(|(n, t, v)| record(n, t, v)).collect();
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        loop {
            let Ok((n, peer)) = socket.recv_from(&mut buf).await else {
                return;
            };
            let Ok(query) = Message::from_vec(&buf[..n]) else {
                continue;
            };
            let Some(q) = query.queries.first().cloned() else {
                continue;
            };
            if q.name().to_utf8() == SILENT_NAME {
                continue;
            }
            let mut answer = Message::response(query.metadata.id, query.metadata.op_code);
            answer.metadata.recursion_desired = query.metadata.recursion_desired;
            answer.metadata.authoritative = true;
            answer.add_query(q.clone());
            let known = table.iter().any(|r| r.name == *q.name());
            if !known {
                answer.metadata.response_code = ResponseCode::NXDomain;
            }
            for r in table
                .iter()
                .filter(|r| r.name == *q.name() && r.record_type() == q.query_type())
            {
                answer.answers.push(r.clone());
            }
            let _ = socket.send_to(&answer.to_vec().unwrap(), peer).await;
        }
    });
    DnsServer { addr }
}

fn record(name: &str, kind: &str, value: &str) -> Record {
    let name = Name::from_str(name).unwrap();
    let data = match RecordType::from_str(kind).unwrap() {
        RecordType::A => RData::A(A::from_str(value).unwrap()),
        RecordType::AAAA => RData::AAAA(AAAA::from_str(value).unwrap()),
        RecordType::CNAME => RData::CNAME(CNAME(Name::from_str(value).unwrap())),
        RecordType::NS => RData::NS(NS(Name::from_str(value).unwrap())),
        RecordType::MX => {
            let (pref, host) = value.split_once(' ').unwrap();
            RData::MX(MX::new(
                pref.parse().unwrap(),
                Name::from_str(host).unwrap(),
            ))
        }
        RecordType::TXT => RData::TXT(TXT::new(vec![value.to_string()])),
        other => panic!("test DNS server does not serve {other}"),
    };
    Record::from_rdata(name, 60, data)
}
