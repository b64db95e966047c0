//! TCP checks: connect to `host:port`, optionally complete a TLS handshake
//! (verifying the certificate unless told not to).

use async_trait::async_trait;
use tokio::net::TcpStream;
use toml::Spanned;

use super::{Attempted, Probe, fields, tls_setup};
use crate::config::{FieldError, RawCheck};

/// The kind-specific keys a TCP check accepts.
pub const KEYS: &[&str] = &["address", "tls", "tls_verify", "ca_file", "server_name"];

pub struct TcpProbe {
    address: String,
    tls: Option<(
        tokio_rustls::TlsConnector,
        rustls::pki_types::ServerName<'static>,
    )>,
}

pub fn build(raw: &Spanned<RawCheck>, key: &str) -> Result<Box<dyn Probe>, FieldError> {
    let check = raw.get_ref();
    let address = fields::required(&check.address, raw, key, "address", "tcp")?;
    let (host, _port) = fields::host_port(address, key, "address")?;
    let use_tls = check.tls.as_ref().is_some_and(|v| *v.get_ref());
    if !use_tls {
        for (field, set) in [
            ("tls_verify", check.tls_verify.as_ref().map(|v| v.span())),
            ("ca_file", check.ca_file.as_ref().map(|v| v.span())),
            ("server_name", check.server_name.as_ref().map(|v| v.span())),
        ] {
            if let Some(span) = set {
                return Err(FieldError::new(
                    span,
                    fields::key(key, field),
                    "only applies with tls = true",
                ));
            }
        }
    }
    let tls = if use_tls {
        let verify = check.tls_verify.as_ref().is_none_or(|v| *v.get_ref());
        let ca = fields::ca_file(&check.ca_file, key)?;
        let config = tls_setup::client_config(verify, ca.as_deref())
            .map_err(|e| FieldError::new(raw.span(), fields::key(key, "ca_file"), e))?;
        let name_field = check.server_name.as_ref();
        let name_text = name_field.map(|n| n.get_ref().clone()).unwrap_or(host);
        let name = tls_setup::server_name(&name_text).map_err(|e| {
            FieldError::new(
                name_field.map(|n| n.span()).unwrap_or(address.span()),
                fields::key(key, "server_name"),
                e,
            )
        })?;
        Some((tokio_rustls::TlsConnector::from(config), name))
    } else {
        None
    };
    Ok(Box::new(TcpProbe {
        address: address.get_ref().clone(),
        tls,
    }))
}

/// Connects, and shakes hands if TLS is on. Shared with the `tls` kind.
pub async fn connect(address: &str) -> Result<TcpStream, String> {
    TcpStream::connect(address)
        .await
        .map_err(|e| format!("cannot connect to {address}: {}", describe_io(&e)))
}

/// "connection refused" rather than "Connection refused (os error 111)".
pub fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
        std::io::ErrorKind::ConnectionReset => "connection reset".into(),
        std::io::ErrorKind::TimedOut => "timed out".into(),
        _ => e.to_string(),
    }
}

#[async_trait]
impl Probe for TcpProbe {
    fn endpoint(&self) -> String {
        let scheme = if self.tls.is_some() { "tls" } else { "tcp" };
        format!("{scheme}://{}", self.address)
    }

    async fn attempt(&self) -> Result<Attempted, String> {
        let stream = connect(&self.address).await?;
        if let Some((connector, name)) = &self.tls {
            connector
                .connect(name.clone(), stream)
                .await
                .map_err(|e| format!("TLS handshake failed: {e}"))?;
        }
        Ok(Attempted::Ok)
    }
}
