package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Options configure an S3-compatible object store (AWS S3, MinIO,
// SeaweedFS, Ceph, Cloudflare R2, ...).
type S3Options struct {
	Endpoint  string // host:port, no scheme
	Bucket    string
	Region    string
	AccessKey string
	SecretKey string
	UseTLS    bool
	// Prefix is put before every key (e.g. "humas/").
	Prefix string
	// PathStyle addresses the bucket in the path (most self-hosted stores
	// need it) instead of as a subdomain.
	PathStyle bool
	// PartSize is the multipart upload part size (default 16 MiB). A
	// source that is an io.ReaderAt (a file) is uploaded part by part
	// without buffering.
	PartSize uint64
}

// S3Blobs keeps blobs in a bucket through minio-go.
type S3Blobs struct {
	c      *minio.Client
	opt    S3Options
	bucket string
}

// NewS3Blobs connects to the store; the bucket must exist (Ping says so).
func NewS3Blobs(o S3Options) (*S3Blobs, error) {
	if o.Endpoint == "" || o.Bucket == "" {
		return nil, errors.New("media: S3 needs an endpoint and a bucket")
	}
	lookup := minio.BucketLookupDNS
	if o.PathStyle {
		lookup = minio.BucketLookupPath
	}
	c, err := minio.New(o.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(o.AccessKey, o.SecretKey, ""),
		Secure:       o.UseTLS,
		Region:       o.Region,
		BucketLookup: lookup,
	})
	if err != nil {
		return nil, fmt.Errorf("media: S3 client: %w", err)
	}
	if o.PartSize == 0 {
		o.PartSize = 16 << 20
	}
	return &S3Blobs{c: c, opt: o, bucket: o.Bucket}, nil
}

func (s *S3Blobs) key(k string) string { return s.opt.Prefix + k }

// Put uploads the blob (multipart above the part size).
func (s *S3Blobs) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	_, err := s.c.PutObject(ctx, s.bucket, s.key(key), r, size, minio.PutObjectOptions{
		ContentType: contentType, PartSize: s.opt.PartSize, NumThreads: 1, SendContentMd5: false,
	})
	if err != nil {
		return fmt.Errorf("media: S3 put %s: %w", key, err)
	}
	return nil
}

type s3Object struct {
	*minio.Object
	size int64
	mod  time.Time
}

func (o s3Object) Size() int64        { return o.size }
func (o s3Object) ModTime() time.Time { return o.mod }

// Open reads the object (ranges are fetched as they are read).
func (s *S3Blobs) Open(ctx context.Context, key string) (Object, error) {
	obj, err := s.c.GetObject(ctx, s.bucket, s.key(key), minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("media: S3 get %s: %w", key, err)
	}
	st, err := obj.Stat()
	if err != nil {
		obj.Close()
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return nil, fmt.Errorf("%w: %s", ErrBlobNotFound, key)
		}
		return nil, fmt.Errorf("media: S3 stat %s: %w", key, err)
	}
	return s3Object{Object: obj, size: st.Size, mod: st.LastModified}, nil
}

// Delete removes the object.
func (s *S3Blobs) Delete(ctx context.Context, key string) error {
	if err := s.c.RemoveObject(ctx, s.bucket, s.key(key), minio.RemoveObjectOptions{}); err != nil {
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return nil
		}
		return fmt.Errorf("media: S3 delete %s: %w", key, err)
	}
	return nil
}

// PresignGet signs a GET URL valid for ttl (at most 7 days, S3's limit).
func (s *S3Blobs) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	ttl = min(ttl, 7*24*time.Hour)
	u, err := s.c.PresignedGetObject(ctx, s.bucket, s.key(key), ttl, url.Values{})
	if err != nil {
		return "", fmt.Errorf("media: S3 presign %s: %w", key, err)
	}
	return u.String(), nil
}

// Describe names the endpoint and bucket.
func (s *S3Blobs) Describe() string {
	scheme := "http"
	if s.opt.UseTLS {
		scheme = "https"
	}
	return "s3:" + scheme + "://" + s.opt.Endpoint + "/" + s.bucket
}

// Ping checks the bucket exists and is reachable.
func (s *S3Blobs) Ping(ctx context.Context) error {
	ok, err := s.c.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("media: S3 %s: %w", s.Describe(), err)
	}
	if !ok {
		return fmt.Errorf("media: S3 bucket %q does not exist", s.bucket)
	}
	return nil
}
