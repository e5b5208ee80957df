//! Where file content is stored: `REVIEWPOINT_STORAGE_URL`, a directory of
//! this host or an S3-compatible bucket. Credentials for S3 are not part of
//! the URL: they come from the usual `AWS_*` variables, read by the store.

use std::path::{Path, PathBuf};

use url::Url;

/// The region an S3 URL without `region=` signs for; S3-compatible servers
/// other than AWS accept it.
pub const DEFAULT_S3_REGION: &str = "us-east-1";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StorageUrl {
    /// `file:///absolute/path`: a directory of this host, for one instance.
    Local(PathBuf),
    /// `s3://BUCKET?endpoint=...&region=...`: AWS S3 without `endpoint`, or
    /// any S3-compatible server at `endpoint` (addressed path-style; `http`
    /// allowed there, for a server on the same host or network).
    S3 { bucket: String, endpoint: Option<Url>, region: String },
}

impl StorageUrl {
    pub fn parse(value: &str) -> Result<Self, String> {
        let url = Url::parse(value).map_err(|error| format!("expected a file:// or s3:// URL: {error}"))?;
        match url.scheme() {
            "file" => Self::local(&url),
            "s3" => Self::s3(&url),
            other => Err(format!("expected a file:// or s3:// URL, got scheme {other:?}")),
        }
    }

    /// The directory `file:///srv/reviewpoint` names; a host or query is a
    /// mistake worth naming, not something to ignore.
    fn local(url: &Url) -> Result<Self, String> {
        if url.host_str().is_some_and(|host| !host.is_empty()) {
            return Err("file:// takes an absolute path and no host, as in file:///var/lib/reviewpoint".into());
        }
        if url.query().is_some() {
            return Err("file:// takes no parameters".into());
        }
        let path = url.to_file_path().map_err(|()| "file:// needs an absolute path".to_owned())?;
        if path == Path::new("/") {
            return Err("file:/// would store content at the root of the file system; name a directory".into());
        }
        Ok(Self::Local(path))
    }

    fn s3(url: &Url) -> Result<Self, String> {
        let bucket = url.host_str().filter(|bucket| !bucket.is_empty());
        let bucket = bucket.ok_or("names no bucket, as in s3://reviewpoint?region=eu-west-1")?.to_owned();
        if !matches!(url.path(), "" | "/") {
            return Err("s3://BUCKET takes no path: the server chooses every key".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("s3:// carries no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".into());
        }
        let (mut endpoint, mut region) = (None, None);
        for (key, value) in url.query_pairs() {
            match &*key {
                "endpoint" => {
                    let parsed = Url::parse(&value).map_err(|error| format!("endpoint={value}: {error}"))?;
                    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
                        return Err(format!("endpoint={value}: expected http://host:port or https://host"));
                    }
                    endpoint = Some(parsed);
                }
                "region" if !value.is_empty() => region = Some(value.into_owned()),
                other => return Err(format!("unknown parameter {other:?}: expected endpoint= or region=")),
            }
        }
        Ok(Self::S3 { bucket, endpoint, region: region.unwrap_or_else(|| DEFAULT_S3_REGION.to_owned()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_or_a_bucket_and_nothing_else() {
        assert_eq!(StorageUrl::parse("file:///srv/rvp"), Ok(StorageUrl::Local("/srv/rvp".into())));
        let seaweed = StorageUrl::parse("s3://papers?endpoint=http://127.0.0.1:8333&region=local").expect("valid");
        assert_eq!(
            seaweed,
            StorageUrl::S3 {
                bucket: "papers".into(),
                endpoint: Some(Url::parse("http://127.0.0.1:8333").expect("url")),
                region: "local".into()
            }
        );
        let aws = StorageUrl::parse("s3://papers").expect("valid");
        assert_eq!(aws, StorageUrl::S3 { bucket: "papers".into(), endpoint: None, region: DEFAULT_S3_REGION.into() });
        for bad in [
            "/srv/rvp",
            "file://host/srv",
            "file:///",
            "file:///srv?x=1",
            "s3://",
            "s3://papers/prefix",
            "s3://key:secret@papers",
            "s3://papers?endpoint=ftp://x",
            "s3://papers?bucket=other",
            "gs://papers",
        ] {
            assert!(StorageUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
