package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/humas-id/humas/api"
	"github.com/humas-id/humas/config"
	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/scheduler"
	"github.com/humas-id/humas/store"
)

// wireMedia builds the media library over the configured store (a local
// folder or an S3-compatible bucket), connects it to the scheduler, mounts
// its API and the public /m/ links Instagram fetches, reports it in
// /readyz, and returns the retention job.
func wireMedia(ctx context.Context, a *app, sched *scheduler.Service) (*media.Library, []named, error) {
	cfg := a.cfg
	var blobs media.Blobs
	switch cfg.Media.Store {
	case "s3":
		s := cfg.Media.S3
		b, err := media.NewS3Blobs(media.S3Options{Endpoint: s.Endpoint, Bucket: s.Bucket, Region: s.Region, AccessKey: s.AccessKey,
			SecretKey: s.SecretKey.Reveal(), UseTLS: s.TLS, Prefix: s.Prefix, PathStyle: s.PathStyle})
		if err != nil {
			return nil, nil, err
		}
		blobs = b
	default:
		b, err := media.NewLocalBlobs(filepath.Join(cfg.MediaPath(), "files"), a.log)
		if err != nil {
			return nil, nil, err
		}
		blobs = b
	}
	key, err := mediaURLKey(cfg)
	if err != nil {
		return nil, nil, err
	}
	ffPath, ffVersion := "", ""
	switch cfg.Media.FFmpeg {
	case "off":
	case "auto":
		ffPath, ffVersion = media.DetectFFmpeg(ctx)
	default:
		if _, err := os.Stat(cfg.Media.FFmpeg); err != nil {
			return nil, nil, fmt.Errorf("media.ffmpeg: %w", err)
		}
		ffPath = cfg.Media.FFmpeg
	}
	if ffPath != "" {
		a.log.Info("video poster frames by ffmpeg", "path", ffPath, "version", ffVersion)
	} else {
		a.log.Info("ffmpeg not found: video thumbnails are placeholders (apt-get install ffmpeg)")
	}
	public := cfg.BaseURL()
	if host := hostOf(public); (isLoopback(host) || host == "") && !cfg.Sandbox {
		a.log.Warn("public_url is a loopback address: Instagram cannot fetch media from it; set HUMAS_PUBLIC_URL to the address Meta reaches humas at",
			"public_url", public)
	}
	lib, err := media.New(a.st.sql, sched, media.Options{Blobs: blobs, TempDir: filepath.Join(cfg.MediaPath(), "tmp"),
		MaxUploadBytes: cfg.Media.MaxUploadBytes, PublicURL: public, URLKey: key, URLTTL: cfg.Media.URLTTL.D(),
		PresignPublic: cfg.Media.Store == "s3" && cfg.Media.S3.PresignPublic, FFmpeg: ffPath,
		Logger: a.log.With("component", "media")})
	if err != nil {
		return nil, nil, err
	}
	sched.UseMedia(lib)
	a.srv.AddCheck(api.Check{Name: "media", Ping: lib.Ping})
	a.srv.AddDetail("media", func() any {
		d := lib.Describe()
		if ffVersion != "" {
			d["ffmpeg"] = ffVersion
		}
		return d
	})
	// The pages serve the library and the public /m/ links (wireWeb).
	if a.cfg.API.Enabled && a.authed != nil {
		api.MountMedia(a.srv, a.authed, api.MediaDeps{Library: lib, UploadTimeout: cfg.Media.UploadTimeout.D(),
			Units: api.SchedulerDeps{Org: a.orgs, Auth: a.users, Calendar: sched}})
	}
	j := &mediaJanitor{lib: lib, spec: cfg.Media.Cleanup, pol: media.RetentionPolicy{Published: cfg.Media.Retention.D(),
		Grace: cfg.Media.UnusedGrace.D()}, a: a}
	return lib, []named{{name: "media-retention", c: j}}, nil
}

func hostOf(u string) string {
	u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	u, _, _ = strings.Cut(u, "/")
	if h, _, err := net.SplitHostPort(u); err == nil {
		return h
	}
	return u
}

func isLoopback(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
}

// mediaURLKey is media.url_key, else a key derived from secret_key, else
// a random key kept (0600) in the media folder.
func mediaURLKey(cfg config.Config) ([]byte, error) {
	if k := cfg.Media.URLKey.Reveal(); k != "" {
		return []byte(k), nil
	}
	if s := cfg.SecretKey.Reveal(); s != "" {
		if k, err := config.DecodeKey(s); err == nil {
			m := hmac.New(sha256.New, k)
			m.Write([]byte("humas public media links v1"))
			return m.Sum(nil), nil
		}
	}
	path := filepath.Join(cfg.MediaPath(), "url.key")
	if b, err := os.ReadFile(path); err == nil {
		if k, err := hex.DecodeString(strings.TrimSpace(string(b))); err == nil && len(k) >= 32 {
			return k, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("media url key %s: %w", path, err)
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	if err := store.WritePrivateFile(path, []byte(hex.EncodeToString(k)+"\n")); err != nil {
		return nil, fmt.Errorf("media url key %s: %w", path, err)
	}
	return k, nil
}

// mediaJanitor runs the retention policy on its cron spec.
type mediaJanitor struct {
	a    *app
	lib  *media.Library
	spec string
	pol  media.RetentionPolicy
	cron *cron.Cron
}

func (j *mediaJanitor) Start(ctx context.Context) error {
	j.cron = cron.New(cron.WithParser(config.CronParser))
	_, err := j.cron.AddFunc(j.spec, func() {
		if j.a.once != nil && !j.a.once() {
			return // another replica holds the lease of the once-only jobs
		}
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Minute)
		defer cancel()
		rep, err := j.lib.Cleanup(c, j.pol, time.Now())
		if err != nil {
			j.a.log.Warn("media retention", "err", err)
			return
		}
		j.a.log.Info("media retention done", "unused_deleted", rep.Unused, "expired_deleted", rep.Expired, "stale_uploads", rep.Uploads)
	})
	if err != nil {
		return fmt.Errorf("media.cleanup %q: %w", j.spec, err)
	}
	j.cron.Start()
	return nil
}

func (j *mediaJanitor) Stop(ctx context.Context) error {
	if j.cron == nil {
		return nil
	}
	select {
	case <-j.cron.Stop().Done():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

var _ = http.MethodGet
