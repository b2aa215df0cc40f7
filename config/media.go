package config

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"time"
)

// Media is the media library (issue 16): where uploaded files are kept,
// how large they may be, and how long they are kept.
type Media struct {
	// Store is local (files under Path) or s3 (any S3-compatible store).
	Store string `yaml:"store"`
	// Path is the local folder; default: "media" beside the state database.
	Path string `yaml:"path"`
	// MaxUploadBytes bounds one uploaded or downloaded file.
	MaxUploadBytes int64 `yaml:"max_upload_bytes"`
	// UploadTimeout is how long one upload request (a whole file or one
	// chunk of a resumable upload) may take; longer than api.read_timeout,
	// which bounds every other request.
	UploadTimeout Duration `yaml:"upload_timeout"`
	// URLTTL is how long a public media link (what Instagram fetches) works.
	URLTTL Duration `yaml:"url_ttl"`
	// URLKey signs public media links (at least 32 characters). Empty: a
	// key derived from secret_key, else one kept in the media folder.
	URLKey Secret `yaml:"url_key"`
	// Retention: media whose posts all went out are deleted this long
	// after the last one (0 keeps them). UnusedGrace: an upload no post
	// uses is deleted after it (0 keeps it). Cleanup runs on this cron spec.
	Retention   Duration `yaml:"retention"`
	UnusedGrace Duration `yaml:"unused_grace"`
	Cleanup     string   `yaml:"cleanup"`
	// FFmpeg makes video poster frames: auto (find ffmpeg on PATH), off,
	// or the path of the binary.
	FFmpeg string  `yaml:"ffmpeg"`
	S3     MediaS3 `yaml:"s3"`
}

// MediaS3 is an S3-compatible object store for media.
type MediaS3 struct {
	Endpoint  string `yaml:"endpoint"` // host:port, e.g. s3.ap-southeast-3.amazonaws.com or 10.0.0.9:8333
	Bucket    string `yaml:"bucket"`
	Region    string `yaml:"region"`
	AccessKey string `yaml:"access_key"`
	SecretKey Secret `yaml:"secret_key"`
	TLS       bool   `yaml:"tls"`
	Prefix    string `yaml:"prefix"`
	// PathStyle puts the bucket in the path (self-hosted stores need it).
	PathStyle bool `yaml:"path_style"`
	// PresignPublic hands Instagram the store's presigned URLs instead of
	// humas's /m/ links: only when Meta can reach the store.
	PresignPublic bool `yaml:"presign_public"`
}

func defaultMedia() Media {
	return Media{Store: "local", MaxUploadBytes: 512 << 20, UploadTimeout: Duration(30 * time.Minute),
		URLTTL: Duration(6 * time.Hour), Retention: Duration(180 * 24 * time.Hour), UnusedGrace: Duration(7 * 24 * time.Hour),
		Cleanup: "0 30 3 * * *", FFmpeg: "auto", S3: MediaS3{PathStyle: true}}
}

// bucketName follows S3's rules: 3 to 63 lowercase letters, digits, dots
// and hyphens, starting and ending with a letter or digit.
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

func (c Config) validateMedia(add func(FieldError)) {
	m := c.Media
	switch m.Store {
	case "local":
	case "s3":
		s := m.S3
		if host, port, err := net.SplitHostPort(s.Endpoint); err != nil || host == "" || port == "" || strings.Contains(s.Endpoint, "/") {
			add(fieldf("media.s3.endpoint", s.Endpoint, "host:port of the S3-compatible store, without scheme, e.g. s3.ap-southeast-3.amazonaws.com:443 or 127.0.0.1:8333"))
		}
		if !bucketName.MatchString(s.Bucket) {
			add(fieldf("media.s3.bucket", s.Bucket, "an existing bucket's name: 3 to 63 lowercase letters, digits, dots and hyphens"))
		}
		if s.AccessKey == "" || s.SecretKey == "" {
			add(fieldf("media.s3.access_key", s.AccessKey, "set media.s3.access_key and media.s3.secret_key (HUMAS_MEDIA_S3_ACCESS_KEY, HUMAS_MEDIA_S3_SECRET_KEY)"))
		}
	default:
		add(fieldf("media.store", m.Store, "local (files under the state folder) or s3"))
	}
	if m.MaxUploadBytes < 1<<20 || m.MaxUploadBytes > 10<<30 {
		add(fieldf("media.max_upload_bytes", m.MaxUploadBytes, "from 1048576 (1 MiB) to 10737418240 (10 GiB); default 536870912 (512 MiB)"))
	}
	if m.UploadTimeout.D() < time.Minute {
		add(fieldf("media.upload_timeout", m.UploadTimeout, "at least 1m, e.g. 30m: a large video over a slow line takes a while"))
	}
	if d := m.URLTTL.D(); d < 10*time.Minute || d > 7*24*time.Hour {
		add(fieldf("media.url_ttl", m.URLTTL, "from 10m to 7d (Instagram fetches the file when the post is prepared), e.g. 6h"))
	}
	if k := m.URLKey.Reveal(); k != "" && len(k) < 32 {
		add(FieldError{Key: "media.url_key (HUMAS_MEDIA_URL_KEY)", Value: masked, Allowed: "at least 32 characters; make one with `openssl rand -hex 32`"})
	}
	if m.Retention.D() < 0 || (m.Retention.D() > 0 && m.Retention.D() < 24*time.Hour) {
		add(fieldf("media.retention", m.Retention, "0 (keep) or at least 1d, e.g. 180d"))
	}
	if m.UnusedGrace.D() < 0 || (m.UnusedGrace.D() > 0 && m.UnusedGrace.D() < time.Hour) {
		add(fieldf("media.unused_grace", m.UnusedGrace, "0 (keep) or at least 1h, e.g. 7d: staff upload before they write"))
	}
	if _, err := CronParser.Parse(m.Cleanup); err != nil {
		add(fieldf("media.cleanup", m.Cleanup, "a cron spec with seconds, e.g. \"0 30 3 * * *\" (03:30 daily)"))
	}
	if m.FFmpeg == "" {
		add(fieldf("media.ffmpeg", m.FFmpeg, "auto, off, or the path of ffmpeg"))
	}
}

// MediaPath is the local media folder: media.path, or "media" beside
// the state database.
func (c Config) MediaPath() string {
	if c.Media.Path != "" {
		return c.Media.Path
	}
	dir := c.State.Path
	if i := strings.LastIndexAny(dir, `/\`); i >= 0 {
		dir = dir[:i]
	} else {
		dir = "."
	}
	return dir + "/media"
}

var _ = fmt.Sprint
