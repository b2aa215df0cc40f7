package meta

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"
)

// Facebook Reels (POST /{page}/video_reels). A vertical (9:16) video of
// 90 s or less sent to /{page}/videos may stay an unpublished Reel draft;
// the Reels flow publishes it: start an upload (StartPageReel), have Meta
// fetch the file (UploadReelFromURL), then publish it (FinishPageReel).
// Only the last step publishes, and it names the video, so a Reel is
// published at most once per video id: after an uncertain finish, read the
// video's status (PageVideoStatus) before finishing again.

// ReelUpload is an opened Reel upload.
type ReelUpload struct {
	VideoID   string
	UploadURL string // https://rupload.facebook.com/video-upload/vNN.0/<video-id>
}

// StartPageReel opens a Reel upload (upload_phase=start). Nothing is
// published; an upload never finished is dropped by Meta.
func (c *Client) StartPageReel(ctx context.Context, token, pageID string) (ReelUpload, error) {
	var a struct {
		VideoID   string `json:"video_id"`
		UploadURL string `json:"upload_url"`
	}
	v := url.Values{"upload_phase": {"start"}}
	if _, err := c.call(ctx, request{endpoint: "page_reels_start", method: http.MethodPost, path: pageID + "/video_reels", params: v, token: token}, &a); err != nil {
		return ReelUpload{}, err
	}
	if a.VideoID == "" || a.UploadURL == "" {
		return ReelUpload{}, errors.New("meta: page_reels_start: answer without video_id or upload_url")
	}
	return ReelUpload{VideoID: a.VideoID, UploadURL: a.UploadURL}, nil
}

// UploadReelFromURL has Meta fetch the video from a public URL into the
// upload (POST upload_url with the file_url header). Repeating it for the
// same upload is harmless.
func (c *Client) UploadReelFromURL(ctx context.Context, token string, up ReelUpload, fileURL string) error {
	req := request{endpoint: "reel_upload", method: http.MethodPost, rawURL: up.UploadURL, token: token, tokenHeader: true,
		header: http.Header{"file_url": {fileURL}}, idempotent: true}
	var a struct {
		Success bool `json:"success"`
	}
	if _, err := c.call(ctx, req, &a); err != nil {
		return err
	}
	if !a.Success {
		return errors.New("meta: reel_upload: Meta did not confirm the upload")
	}
	return nil
}

// ReelUploadURL is the upload URL of a Reel video, for resuming an upload
// whose URL was not kept: Meta's rupload host, or the simulator's.
func (c *Client) ReelUploadURL(videoID string) string {
	if c.base.Host == "graph.facebook.com" {
		return "https://" + ruploadHost + "/video-upload/" + c.version + "/" + videoID
	}
	return c.base.JoinPath("video-upload", c.version, videoID).String()
}

// FinishPageReel publishes an uploaded Reel (upload_phase=finish,
// video_state=PUBLISHED) with its description. The post appears once Meta
// has processed the video (PageVideoStatus: publishing_phase complete).
func (c *Client) FinishPageReel(ctx context.Context, token, pageID, videoID, description string) error {
	v := url.Values{"upload_phase": {"finish"}, "video_id": {videoID}, "video_state": {"PUBLISHED"}}
	if description != "" {
		v.Set("description", description)
	}
	var a struct {
		Success bool `json:"success"`
	}
	if _, err := c.call(ctx, request{endpoint: "page_reels_finish", method: http.MethodPost, path: pageID + "/video_reels", params: v, token: token}, &a); err != nil {
		return err
	}
	if !a.Success {
		return errors.New("meta: page_reels_finish: Meta did not confirm the publish")
	}
	return nil
}

// FindVideoPost finds the Page post of a video (or Reel) among the Page's
// posts since `since`, by the video id its attachment targets: Meta's
// answer to an upload, and the video node, do not always carry post_id.
func (c *Client) FindVideoPost(ctx context.Context, token, pageID, videoID string, since time.Time) (PagePost, bool, error) {
	return c.FindPagePost(ctx, token, pageID, since, func(p PagePost) bool { return p.TargetID == videoID })
}
