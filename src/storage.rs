//! File content in an object store: a directory of this host, or any
//! S3-compatible bucket (AWS S3, MinIO, SeaweedFS, Garage, R2), behind
//! Apache `object_store`'s one interface. Keys are the server's own; what a
//! key holds (filename, type, size, SHA-256) is recorded in PostgreSQL only.
//!
//! Writes stream: bytes are hashed and counted as they pass, sent in parts
//! of [`PART_BYTES`] with at most [`PARTS_IN_FLIGHT`] uploading at once, so
//! memory stays bounded whatever the size, and nothing is visible under the
//! key until the whole object is (a local write lands in a temporary file
//! that is renamed; an S3 multipart upload is completed). A write that fails
//! or goes over its limit is aborted, leaving nothing behind.

use std::{ops::Range, sync::Arc, time::Duration};

use bytes::Bytes;
use futures::{Stream, StreamExt, TryStreamExt, stream::BoxStream};
use object_store::{
    ClientOptions, GetOptions, GetRange, ObjectStore, ObjectStoreExt, RetryConfig, WriteMultipart,
    aws::AmazonS3Builder, local::LocalFileSystem, path::Path,
};
use sha2::{Digest, Sha256};

use crate::config::StorageUrl;

/// One part of a streamed write: S3's smallest part but the last.
pub const PART_BYTES: usize = 5 * 1024 * 1024;
/// Parts uploading at once, per write.
pub const PARTS_IN_FLIGHT: usize = 2;
/// How long connecting to the store, and each read from it, may take: a
/// store that stops answering fails the request instead of holding it.
/// Not a deadline on a whole transfer: a large file read by a slow client
/// takes as long as it takes.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// object_store retries a failed request 10 times over up to 3 minutes by
/// default; a client waiting on an upload or download is better answered
/// 503 well within its own patience.
const RETRIES: usize = 2;
const RETRY_TIMEOUT: Duration = Duration::from_secs(10);

/// Where S3 credentials come from.
#[derive(Clone, Debug)]
pub enum S3Credentials {
    /// AWS's usual sources: `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`
    /// (with `AWS_SESSION_TOKEN`), or a role of the host or container.
    Environment,
    /// Keys given directly (tests, whose process environment is shared).
    Keys { access_key_id: String, secret_access_key: String },
}

#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
}

/// A key the server made (never from a filename).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectKey(Path);

impl ObjectKey {
    /// A new key for content of file `file_id`: the id keeps a file's
    /// objects together for an operator, the random part makes every upload
    /// its own object.
    pub fn new(file_id: i64) -> Self {
        let mut random = [0u8; 16];
        getrandom::fill(&mut random).expect("the operating system's random source works");
        let name: String = random.iter().map(|byte| format!("{byte:02x}")).collect();
        Self(Path::from(format!("files/{file_id}/{name}")))
    }

    /// A key as stored in PostgreSQL.
    pub fn stored(text: &str) -> Self {
        Self(Path::from(text))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_ref()
    }
}

/// What a completed write stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub size: u64,
    pub sha256: [u8; 32],
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no object under this key")]
    NotFound,
    #[error("the content is over its limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the upload failed while it was being received: {0}")]
    Body(std::io::Error),
    #[error("the object store cannot be used: {0}")]
    Unavailable(#[source] object_store::Error),
    #[error("the object store is misconfigured: {0}")]
    Config(String),
}

impl From<object_store::Error> for StorageError {
    fn from(error: object_store::Error) -> Self {
        match error {
            object_store::Error::NotFound { .. } => Self::NotFound,
            other => Self::Unavailable(other),
        }
    }
}

/// A read: the object's whole size and the bytes of the range asked for.
pub struct Read {
    pub size: u64,
    pub range: Range<u64>,
    pub bytes: BoxStream<'static, Result<Bytes, StorageError>>,
}

impl Storage {
    /// The store `url` names; a local directory is created if missing.
    /// Nothing is contacted yet.
    pub fn open(url: &StorageUrl, credentials: &S3Credentials) -> Result<Self, StorageError> {
        // reqwest is built without a crypto provider of its own (see
        // Cargo.toml): HTTPS to S3 uses ring, installed for the process here
        // unless something installed one first.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let store: Arc<dyn ObjectStore> = match url {
            StorageUrl::Local(directory) => {
                std::fs::create_dir_all(directory)
                    .map_err(|error| StorageError::Config(format!("{}: {error}", directory.display())))?;
                let local = LocalFileSystem::new_with_prefix(directory).map_err(misconfigured)?;
                // fsync before a write reports success: PostgreSQL will point
                // at the object, and must not outlive it across a power cut.
                Arc::new(local.with_automatic_cleanup(true).with_fsync(true))
            }
            StorageUrl::S3 { bucket, endpoint, region } => {
                let mut builder = match credentials {
                    S3Credentials::Environment => AmazonS3Builder::from_env(),
                    S3Credentials::Keys { access_key_id, secret_access_key } => AmazonS3Builder::new()
                        .with_access_key_id(access_key_id)
                        .with_secret_access_key(secret_access_key),
                };
                let client = ClientOptions::new()
                    .with_timeout_disabled()
                    .with_connect_timeout(CONNECT_TIMEOUT)
                    .with_read_timeout(READ_TIMEOUT);
                let retry =
                    RetryConfig { max_retries: RETRIES, retry_timeout: RETRY_TIMEOUT, ..RetryConfig::default() };
                builder =
                    builder.with_bucket_name(bucket).with_region(region).with_client_options(client).with_retry(retry);
                if let Some(endpoint) = endpoint {
                    builder = builder
                        .with_endpoint(endpoint.as_str().trim_end_matches('/'))
                        .with_allow_http(endpoint.scheme() == "http")
                        .with_virtual_hosted_style_request(false);
                }
                Arc::new(builder.build().map_err(misconfigured)?)
            }
        };
        Ok(Self { store })
    }

    /// Streams `body` into a new object under `key`, at most `limit` bytes:
    /// one byte more aborts the write ([`StorageError::TooLarge`]).
    pub async fn write<S>(&self, key: &ObjectKey, body: S, limit: u64) -> Result<Written, StorageError>
    where
        S: Stream<Item = Result<Bytes, std::io::Error>> + Send,
    {
        let upload = self.store.put_multipart(&key.0).await?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
        let (mut hasher, mut size) = (Sha256::new(), 0u64);
        let mut body = std::pin::pin!(body);
        let outcome = loop {
            let chunk = match body.next().await {
                None => break Ok(()),
                Some(Err(error)) => break Err(StorageError::Body(error)),
                Some(Ok(chunk)) => chunk,
            };
            size += chunk.len() as u64;
            if size > limit {
                break Err(StorageError::TooLarge { limit });
            }
            hasher.update(&chunk);
            if let Err(error) = writer.wait_for_capacity(PARTS_IN_FLIGHT).await {
                break Err(error.into());
            }
            writer.put(chunk);
        };
        if let Err(error) = outcome {
            // Best effort: a failed abort leaves an incomplete upload that
            // the store's own expiry (or the next sweep) removes.
            let _ = writer.abort().await;
            return Err(error);
        }
        writer.finish().await?;
        Ok(Written { size, sha256: hasher.finalize().into() })
    }

    /// The bytes under `key`, all of them or `range`.
    pub async fn read(&self, key: &ObjectKey, range: Option<Range<u64>>) -> Result<Read, StorageError> {
        let options = GetOptions { range: range.map(GetRange::Bounded), ..GetOptions::default() };
        let result = self.store.get_opts(&key.0, options).await?;
        let (size, range) = (result.meta.size, result.range.clone());
        let bytes = result.into_stream().map_err(StorageError::from).boxed();
        Ok(Read { size, range, bytes })
    }

    /// Removes the object under `key`; one already gone is not an error.
    pub async fn delete(&self, key: &ObjectKey) -> Result<(), StorageError> {
        match self.store.delete(&key.0).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }
}

fn misconfigured(error: object_store::Error) -> StorageError {
    StorageError::Config(error.to_string())
}
