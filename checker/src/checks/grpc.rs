//! gRPC health checks: the standard `grpc.health.v1.Health/Check` (for the
//! whole server, or one `service`), over plaintext HTTP/2 or TLS with the
//! same TLS options as http. SERVING is healthy; anything else is down with
//! the status in the notice.

use std::pin::Pin;

use async_trait::async_trait;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tonic::transport::Endpoint;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use super::tls_setup::Tls;
use super::{Attempted, Builder, Probe, tcp, tls_setup};
use crate::options::FieldError;
use crate::options::Table;
use crate::options::{Kind, opt};

pub const KIND: Kind<Builder> = Kind {
    name: "grpc",
    about: "the standard gRPC health check (grpc.health.v1.Health/Check)",
    options: &[
        opt("address", "\"api.example.com:443\"", "host:port (required)"),
        opt(
            "service",
            "\"shop.Cart\"",
            "the service to ask about (default \"\": the whole server)",
        ),
        opt(
            "tls",
            "true",
            "connect with TLS (default false: plaintext HTTP/2)",
        ),
        opt("tls_verify", "true", "with tls: verify the certificate"),
        opt(
            "ca_file",
            "\"ca.pem\"",
            "with tls: also trust these PEM certificates",
        ),
        opt(
            "server_name",
            "\"api.example.com\"",
            "with tls: the name to verify (default: the address's host)",
        ),
    ],
    build,
};

pub struct GrpcProbe {
    address: String,
    service: String,
    tls: Option<Tls>,
}

fn build(table: &Table) -> Result<Box<dyn Probe>, FieldError> {
    let address = table.required_text("address")?;
    let (host, _port) = table.host_port("address")?.expect("address is set");
    // gRPC is HTTP/2 only: say so in the handshake, as servers expect.
    let tls = tls_setup::table_tls(table, host, &[b"h2"])?;
    Ok(Box::new(GrpcProbe {
        address,
        service: table.text("service")?.unwrap_or_default(),
        tls,
    }))
}

/// A plaintext or TLS stream, as one type for the channel.
trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}
type BoxedIo = Pin<Box<dyn Io>>;

/// Opens the connection the channel runs on.
async fn open(address: String, tls: Option<Tls>) -> Result<TokioIo<BoxedIo>, std::io::Error> {
    let stream = tcp::connect(&address)
        .await
        .map_err(std::io::Error::other)?;
    let io: BoxedIo = match tls {
        None => Box::pin(stream),
        Some((connector, name)) => Box::pin(
            connector
                .connect(name, stream)
                .await
                .map_err(|e| std::io::Error::other(format!("TLS handshake failed: {e}")))?,
        ),
    };
    Ok(TokioIo::new(io))
}

/// The innermost cause, which says what happened ("connection refused").
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[async_trait]
impl Probe for GrpcProbe {
    fn endpoint(&self) -> String {
        let scheme = if self.tls.is_some() { "grpcs" } else { "grpc" };
        if self.service.is_empty() {
            format!("{scheme}://{}", self.address)
        } else {
            format!("{scheme}://{}/{}", self.address, self.service)
        }
    }

    async fn attempt(&self) -> Result<Attempted, String> {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        let endpoint = Endpoint::from_shared(format!("{scheme}://{}", self.address))
            .map_err(|e| format!("{:?} is not a gRPC address: {e}", self.address))?;
        let (address, tls) = (self.address.clone(), self.tls.clone());
        let connector = tower::service_fn(move |_uri: tonic::codegen::http::Uri| {
            open(address.clone(), tls.clone())
        });
        let channel = endpoint
            .connect_with_connector(connector)
            .await
            .map_err(|e| root_cause(&e))?;
        let request = HealthCheckRequest {
            service: self.service.clone(),
        };
        let answer = HealthClient::new(channel)
            .check(request)
            .await
            .map_err(|status| {
                let what = if self.service.is_empty() {
                    "the server".to_string()
                } else {
                    format!("service {:?}", self.service)
                };
                match status.code() {
                    tonic::Code::NotFound => format!("the server does not know {what}"),
                    tonic::Code::Unimplemented => {
                        "the server has no grpc.health.v1.Health service".to_string()
                    }
                    code => {
                        let message = status.message();
                        if message.is_empty() {
                            format!("the health check failed: {code:?}")
                        } else {
                            format!("the health check failed: {code:?}: {message}")
                        }
                    }
                }
            })?;
        match answer.into_inner().status() {
            ServingStatus::Serving => Ok(Attempted::Ok),
            other => Err(format!("health status {}", other.as_str_name())),
        }
    }
}
