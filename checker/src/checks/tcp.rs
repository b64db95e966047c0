//! TCP checks: connect to `host:port`, optionally complete a TLS handshake
//! (verifying the certificate unless told not to).

use async_trait::async_trait;
use tokio::net::TcpStream;

use super::{Attempted, Builder, Probe, tls_setup};
use crate::options::FieldError;
use crate::options::Table;
use crate::options::{Kind, opt};

pub const KIND: Kind<Builder> = Kind {
    name: "tcp",
    about: "connect to host:port, optionally with a TLS handshake",
    options: &[
        opt("address", "\"host:port\"", "where to connect (required)"),
        opt("tls", "false", "complete a TLS handshake after connecting"),
        opt("tls_verify", "true", "with tls: verify the certificate"),
        opt(
            "ca_file",
            "\"ca.pem\"",
            "with tls: also trust these PEM certificates",
        ),
        opt(
            "server_name",
            "\"db.example.com\"",
            "with tls: the name to verify (default: the address's host)",
        ),
    ],
    build,
};

pub struct TcpProbe {
    address: String,
    tls: Option<(
        tokio_rustls::TlsConnector,
        rustls::pki_types::ServerName<'static>,
    )>,
}

fn build(table: &Table) -> Result<Box<dyn Probe>, FieldError> {
    let address = table.required_text("address")?;
    let (host, _port) = table.host_port("address")?.expect("address is set");
    let tls = tls_setup::table_tls(table, host, &[])?;
    Ok(Box::new(TcpProbe { address, tls }))
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
