package media

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// DetectFFmpeg finds ffmpeg (Debian's package) for video poster frames:
// its path and the first line of `ffmpeg -version`, or "" when missing.
func DetectFFmpeg(ctx context.Context) (path, version string) {
	p, err := exec.LookPath("ffmpeg")
	if err != nil {
		return "", ""
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, p, "-hide_banner", "-version").Output()
	if err != nil {
		return "", ""
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return p, strings.TrimSpace(line)
}

// posterFrame extracts a frame (at 1 s, or the start of a shorter video)
// as a small JPEG with ffmpeg; nil without ffmpeg or when it fails (the
// pages then show a placeholder).
func (l *Library) posterFrame(ctx context.Context, video string, duration float64) []byte {
	if l.opt.FFmpeg == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	out, err := os.CreateTemp(l.opt.TempDir, "poster-*.jpg")
	if err != nil {
		return nil
	}
	name := out.Name()
	out.Close()
	defer os.Remove(name)
	at := "1"
	if duration < 2 {
		at = "0"
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, l.opt.FFmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-ss", at, "-i", video,
		"-frames:v", "1", "-vf", fmt.Sprintf("scale='min(%d,iw)':-2", thumbSide), "-q:v", "4", "-f", "image2", "-y", name)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		l.log.WarnContext(ctx, "video poster frame not made; a placeholder is shown", "err", err, "ffmpeg", strings.TrimSpace(stderr.String()))
		return nil
	}
	b, err := os.ReadFile(name)
	if err != nil || len(b) == 0 || Sniff(b) != TypeJPEG {
		return nil
	}
	return b
}
