//! A lean HTTP/1.1 keep-alive client for the load generator: the benchmark shares the
//! machine's two cores with the server, so the client must cost as little as possible
//! (a general-purpose client with JSON parsing took about as much CPU as the server did).
//! One connection per virtual client; requests are written pre-formatted; a response is
//! read by its `Content-Length` (actix-web sends one for every JSON body).

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct Conn {
    stream: TcpStream,
    host: String,
    buf: Vec<u8>,
}

/// A response: status and body.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Answer {
    /// The string value of a top-level `"key":"value"` in a JSON body, without parsing it all.
    pub fn string_field(&self, key: &str) -> Option<String> {
        let needle = format!("\"{key}\":\"");
        let text = std::str::from_utf8(&self.body).ok()?;
        let start = text.find(&needle)? + needle.len();
        let end = text[start..].find('"')? + start;
        Some(text[start..end].to_string())
    }
}

impl Conn {
    pub async fn open(addr: std::net::SocketAddr) -> std::io::Result<Conn> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream,
            host: addr.to_string(),
            buf: Vec::with_capacity(16 * 1024),
        })
    }

    /// Submits request `number` (`POST …/transitions {"action":"submit"}`).
    pub async fn submit(&mut self, number: &str, token: &str) -> std::io::Result<Answer> {
        self.post_json(
            &format!("/api/v1/requests/{number}/transitions"),
            token,
            r#"{"action":"submit"}"#,
        )
        .await
    }

    /// `POST path` with a JSON body and a bearer token; waits for the whole response.
    pub async fn post_json(
        &mut self,
        path: &str,
        token: &str,
        body: &str,
    ) -> std::io::Result<Answer> {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.host,
            body.len()
        );
        let mut req = head.into_bytes();
        req.extend_from_slice(body.as_bytes());
        self.stream.write_all(&req).await?;
        self.read_answer().await
    }

    async fn read_answer(&mut self) -> std::io::Result<Answer> {
        let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
        // Read until the end of the headers.
        let header_end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i + 4;
            }
            if self.read_more().await? == 0 {
                return Err(bad("connection closed before the headers"));
            }
        };
        let head = std::str::from_utf8(&self.buf[..header_end]).map_err(|_| bad("headers"))?;
        let status: u16 = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("status line"))?;
        let mut length = None;
        for line in head.split("\r\n").skip(1) {
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse::<usize>().ok();
                } else if k.eq_ignore_ascii_case("transfer-encoding") {
                    return Err(bad("chunked responses are not expected"));
                }
            }
        }
        let length = length.ok_or_else(|| bad("no content-length"))?;
        while self.buf.len() < header_end + length {
            if self.read_more().await? == 0 {
                return Err(bad("connection closed in the body"));
            }
        }
        let body = self.buf[header_end..header_end + length].to_vec();
        self.buf.drain(..header_end + length);
        Ok(Answer { status, body })
    }

    async fn read_more(&mut self) -> std::io::Result<usize> {
        let mut chunk = [0u8; 8192];
        let n = self.stream.read(&mut chunk).await?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_field_is_found_without_parsing() {
        let a = Answer {
            status: 201,
            body: br#"{"id":"x","number":"HC-2026-000001","state":"draft"}"#.to_vec(),
        };
        assert_eq!(a.string_field("number").as_deref(), Some("HC-2026-000001"));
        assert_eq!(a.string_field("missing"), None);
    }

    #[test]
    fn responses_are_read_by_content_length_on_a_kept_alive_connection() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let addr = listener.local_addr().expect("addr");
            let server = tokio::spawn(async move {
                let (mut s, _) = listener.accept().await.expect("accept");
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                // Two requests on one connection, answered in two writes each.
                for body in ["{\"number\":\"A-1\"}", "{\"number\":\"B-2\"}"] {
                    loop {
                        let n = s.read(&mut buf).await.expect("read");
                        seen.extend_from_slice(&buf[..n]);
                        if find(&seen, b"{}").is_some() {
                            seen.clear();
                            break;
                        }
                    }
                    let head = format!(
                        "HTTP/1.1 201 Created\r\ncontent-length: {}\r\n\r\n",
                        body.len()
                    );
                    s.write_all(head.as_bytes()).await.expect("write");
                    s.write_all(body.as_bytes()).await.expect("write");
                }
            });
            let mut c = Conn::open(addr).await.expect("connect");
            let a = c.post_json("/x", "t", "{}").await.expect("first");
            assert_eq!(a.status, 201);
            assert_eq!(a.string_field("number").as_deref(), Some("A-1"));
            let b = c.post_json("/x", "t", "{}").await.expect("second");
            assert_eq!(b.string_field("number").as_deref(), Some("B-2"));
            server.await.expect("server");
        });
    }
}
