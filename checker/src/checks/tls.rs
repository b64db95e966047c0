//! TLS certificate checks: handshake and verify; down when the certificate is
//! invalid or expired; degraded when the leaf or any certificate in the chain
//! expires within `cert_expiry_threshold` (default 14 days).

use std::time::Duration;

use async_trait::async_trait;

use super::tcp::connect;
use super::{Attempted, Builder, Probe, tls_setup};
use crate::options::FieldError;
use crate::options::Table;
use crate::options::{Kind, opt};

pub const KIND: Kind<Builder> = Kind {
    name: "tls",
    about: "TLS handshake and certificate: down when invalid or expired, degraded when expiring soon",
    options: &[
        opt("address", "\"host:port\"", "where to connect (required)"),
        opt(
            "server_name",
            "\"example.com\"",
            "the name to verify (default: the address's host)",
        ),
        opt(
            "cert_expiry_threshold",
            "\"14d\"",
            "degraded when a certificate expires within this (default 14d)",
        ),
        opt(
            "tls_verify",
            "true",
            "verify the chain and name (false: judge only expiry)",
        ),
        opt("ca_file", "\"ca.pem\"", "also trust these PEM certificates"),
    ],
    build,
};

const DEFAULT_EXPIRY_THRESHOLD: Duration = Duration::from_secs(14 * 86_400);

pub struct TlsProbe {
    address: String,
    connector: tokio_rustls::TlsConnector,
    name: rustls::pki_types::ServerName<'static>,
    expiry_threshold: Duration,
}

fn build(table: &Table) -> Result<Box<dyn Probe>, FieldError> {
    let address = table.required_text("address")?;
    let (host, _port) = table.host_port("address")?.expect("address is set");
    let verify = table.bool("tls_verify")?.unwrap_or(true);
    let ca = table.ca_file("ca_file")?;
    let config =
        tls_setup::client_config(verify, ca.as_ref()).map_err(|e| table.error("ca_file", e))?;
    let name = tls_setup::table_server_name(table, host)?;
    let expiry_threshold = table
        .duration("cert_expiry_threshold")?
        .unwrap_or(DEFAULT_EXPIRY_THRESHOLD);
    Ok(Box::new(TlsProbe {
        address,
        connector: tokio_rustls::TlsConnector::from(config),
        name,
        expiry_threshold,
    }))
}

#[async_trait]
impl Probe for TlsProbe {
    fn endpoint(&self) -> String {
        format!("tls://{}", self.address)
    }

    async fn attempt(&self) -> Result<Attempted, String> {
        let stream = connect(&self.address).await?;
        let tls = self
            .connector
            .connect(self.name.clone(), stream)
            .await
            .map_err(|e| format!("certificate not accepted: {}", describe_tls(&e)))?;
        let (_, session) = tls.get_ref();
        let chain = session.peer_certificates().unwrap_or_default();
        if chain.is_empty() {
            return Err("the server sent no certificate".into());
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs() as i64;
        // The certificate that expires first decides.
        let mut soonest: Option<(i64, String)> = None;
        for (i, der) in chain.iter().enumerate() {
            let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref())
                .map_err(|e| format!("certificate {i} in the chain cannot be read: {e}"))?;
            let not_after = cert.validity().not_after.timestamp();
            let label = if i == 0 {
                "the certificate".to_string()
            } else {
                format!("chain certificate {i} ({})", cert.subject())
            };
            if soonest.as_ref().is_none_or(|(t, _)| not_after < *t) {
                soonest = Some((not_after, label));
            }
        }
        let (not_after, label) = soonest.expect("chain is not empty");
        let left = not_after - now;
        let date = humantime::format_rfc3339_seconds(
            std::time::UNIX_EPOCH + Duration::from_secs(not_after.max(0) as u64),
        );
        if left <= 0 {
            return Err(format!(
                "{label} expired {} ago (on {date})",
                days(-left, false)
            ));
        }
        if (left as u64) < self.expiry_threshold.as_secs() {
            return Ok(Attempted::Warning(format!(
                "{label} expires in {} (on {date})",
                days(left, true)
            )));
        }
        Ok(Attempted::Ok)
    }
}

/// Whole days, rounded up for time left ("expires in 3 days" until the
/// last moment of the third day) and down for time past.
fn days(secs: i64, round_up: bool) -> String {
    let n = if round_up {
        (secs + 86_399) / 86_400
    } else {
        secs / 86_400
    };
    match n {
        0 => format!("{} hours", secs / 3600),
        1 => "1 day".into(),
        n => format!("{n} days"),
    }
}

fn describe_tls(e: &std::io::Error) -> String {
    e.get_ref()
        .map(|inner| inner.to_string())
        .unwrap_or_else(|| e.to_string())
}
