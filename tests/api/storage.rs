//! The object store behind file content (`src/storage.rs`), on both
//! backends: a local directory and a real S3-compatible server (SeaweedFS,
//! see `seaweedfs`). Every test runs on each.

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt, stream};
use reviewpoint::{
    config::StorageUrl,
    storage::{ObjectKey, PART_BYTES, S3Credentials, Storage, StorageError},
};
use sha2::{Digest, Sha256};

use crate::seaweedfs::seaweedfs;

/// Both backends, each with a name for assertion messages.
async fn backends() -> Vec<(&'static str, Storage)> {
    let directory = std::env::temp_dir().join(format!("rvt-storage-{}-{}", std::process::id(), unique()));
    let local = Storage::open(&StorageUrl::Local(directory), &S3Credentials::Environment).expect("a local store");
    vec![("local", local), ("s3", seaweedfs().storage().await)]
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Deterministic, incompressible-looking bytes.
fn content(length: usize) -> Vec<u8> {
    let mut state: u32 = 0x9e37_79b9;
    (0..length)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect()
}

/// `bytes` as a request body arrives: in chunks of 64 KiB.
fn body(bytes: &[u8]) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + use<> {
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        bytes.chunks(64 * 1024).map(|chunk| Ok(Bytes::copy_from_slice(chunk))).collect();
    stream::iter(chunks)
}

async fn read_all(storage: &Storage, key: &ObjectKey, range: Option<std::ops::Range<u64>>) -> Vec<u8> {
    let read = storage.read(key, range).await.expect("read");
    let chunks: Vec<Bytes> = read.bytes.try_collect().await.expect("the bytes");
    chunks.concat()
}

#[tokio::test]
async fn a_write_streams_in_parts_is_hashed_as_it_passes_and_reads_back_whole_or_by_range() {
    // Three parts and a short one: the multipart path, not a single put.
    let bytes = content(3 * PART_BYTES + 12_345);
    for (backend, storage) in backends().await {
        let key = ObjectKey::new(1);
        let written = storage.write(&key, body(&bytes), bytes.len() as u64).await.expect("written");

        assert_eq!(written.size, bytes.len() as u64, "{backend}");
        assert_eq!(written.sha256, <[u8; 32]>::from(Sha256::digest(&bytes)), "{backend}");
        assert!(read_all(&storage, &key, None).await == bytes, "{backend}: the bytes as written");
        let read = storage.read(&key, Some(5..PART_BYTES as u64 + 7)).await.expect("a range");
        assert_eq!((read.size, read.range.clone()), (bytes.len() as u64, 5..PART_BYTES as u64 + 7), "{backend}");
        let ranged: Vec<Bytes> = read.bytes.try_collect().await.expect("bytes");
        assert!(ranged.concat() == bytes[5..PART_BYTES + 7], "{backend}: the range's bytes");
    }
}

#[tokio::test]
async fn a_write_over_its_limit_or_whose_body_fails_leaves_nothing_behind() {
    let bytes = content(PART_BYTES + 1024);
    for (backend, storage) in backends().await {
        let key = ObjectKey::new(2);
        let over = storage.write(&key, body(&bytes), bytes.len() as u64 - 1).await;
        assert!(matches!(over, Err(StorageError::TooLarge { .. })), "{backend}: {over:?}");
        assert!(matches!(storage.read(&key, None).await, Err(StorageError::NotFound)), "{backend}: nothing stored");

        let broken =
            body(&bytes[..PART_BYTES + 10]).chain(stream::iter([Err(std::io::Error::other("the client went away"))]));
        let failed = storage.write(&key, broken, u64::MAX).await;
        assert!(matches!(failed, Err(StorageError::Body(_))), "{backend}: {failed:?}");
        assert!(matches!(storage.read(&key, None).await, Err(StorageError::NotFound)), "{backend}: nothing stored");
    }
}

#[tokio::test]
async fn an_empty_object_and_deletes_that_find_nothing_are_fine() {
    for (backend, storage) in backends().await {
        let key = ObjectKey::new(3);
        let written = storage.write(&key, stream::empty(), 10).await.expect("an empty object");
        assert_eq!(written.size, 0, "{backend}");
        assert!(read_all(&storage, &key, None).await.is_empty(), "{backend}");

        storage.delete(&key).await.expect("deleted");
        assert!(matches!(storage.read(&key, None).await, Err(StorageError::NotFound)), "{backend}: gone");
        storage.delete(&key).await.expect("deleting what is gone is not an error");
        assert_ne!(ObjectKey::new(3), key, "every upload gets a key of its own");
    }
}

#[tokio::test]
async fn a_store_that_cannot_be_reached_is_an_unavailable_error_not_a_missing_object() {
    let nowhere = StorageUrl::parse(&format!(
        "s3://{}?endpoint=http://127.0.0.1:{}",
        crate::seaweedfs::BUCKET,
        crate::cli::free_port()
    ))
    .expect("an S3 URL");
    let storage = Storage::open(&nowhere, &seaweedfs().credentials()).expect("opening does not connect");
    let missing = storage.read(&ObjectKey::new(4), None).await;
    assert!(matches!(missing, Err(StorageError::Unavailable(_))), "{:?}", missing.err());
}
