package scheduler

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/meta"
)

// Library media at publish time: Facebook gets the bytes (multipart
// source, or a Reel's upload body), so it needs no public URL; Instagram
// fetches each file from its signed, expiring public URL under
// HUMAS_PUBLIC_URL (or the object store's presigned URL).

// mediaFile is a library item as bytes for a Facebook upload, opened anew
// for each attempt.
func (p *Publisher) mediaFile(ctx context.Context, m Media) (*meta.File, error) {
	lib := p.svc.media
	if lib == nil {
		return nil, fmt.Errorf("media %d: %w", m.MediaID, media.ErrNotFound)
	}
	items, err := lib.Items(ctx, []int64{m.MediaID})
	if err != nil {
		return nil, err
	}
	it, ok := items[m.MediaID]
	if !ok || it.DeletedAt != nil {
		return nil, fmt.Errorf("media %d: %w", m.MediaID, media.ErrNotFound)
	}
	id := m.MediaID
	return &meta.File{Name: fmt.Sprintf("humas-%d%s", id, media.Ext(it.MIME)), ContentType: it.MIME, Size: it.Size,
		Open: func(ctx context.Context) (io.ReadCloser, error) {
			obj, _, err := lib.Open(ctx, id)
			if err != nil {
				return nil, err
			}
			return obj, nil
		}}, nil
}

// mediaURL is the address Instagram fetches m from.
func (p *Publisher) mediaURL(ctx context.Context, m Media) (string, error) {
	if m.MediaID == 0 {
		return m.URL, nil
	}
	if p.svc.media == nil {
		return "", fmt.Errorf("media %d: %w", m.MediaID, media.ErrNotFound)
	}
	return p.svc.media.PublicURL(ctx, m.MediaID)
}

// mediaOutcome turns a failure to read library media into an outcome:
// a deleted file or a missing public URL fails the delivery saying what
// to do; a store that does not answer is tried again until the deadline.
func (p *Publisher) mediaOutcome(j job, path string, err error) outcome {
	switch {
	case errors.Is(err, media.ErrNotFound):
		return outcome{path: path, fail: &DeliveryError{Class: "media", Action: ActionCheckMedia,
			Message: "a media file of this post is no longer in the media library (" + err.Error() + "); edit the post with another file"}}
	case errors.Is(err, media.ErrNoPublicURL):
		return outcome{path: path, fail: &DeliveryError{Class: "config", Action: ActionContact,
			Message: "Instagram fetches media by URL, and this server has no public URL: the administrator sets HUMAS_PUBLIC_URL to the address Meta reaches humas at"}}
	}
	now := p.opt.Now()
	if now.Before(j.ScheduledAt.Add(p.opt.RetryDeadline)) {
		return outcome{path: path, retryAt: now.Add(p.backoff(j.Attempts)), note: "media store did not answer: " + err.Error()}
	}
	return outcome{path: path, fail: &DeliveryError{Class: "media", Action: ActionRetryLater,
		Message: "the media store did not answer until the retry deadline: " + err.Error()}}
}

// publishFBPhotos uploads each photo unpublished (bytes for library
// media, URL otherwise) in the post's order, then makes one feed post
// attaching them. Only the last call publishes.
// A photo that cannot be read from the library ends the attempt with
// its outcome (o non-nil) before anything is published.
func (p *Publisher) publishFBPhotos(ctx context.Context, j job, token string, photos []Media) (res meta.PostResult, o *outcome, err error) {
	ids := make([]string, 0, len(photos))
	for i, m := range photos {
		var id string
		var err error
		if m.MediaID != 0 {
			f, ferr := p.mediaFile(ctx, m)
			if ferr != nil {
				mo := p.mediaOutcome(j, pathPhotos, ferr)
				return meta.PostResult{}, &mo, nil
			}
			id, err = p.graph.UploadPagePhotoFile(ctx, token, j.ExternalID, f)
		} else {
			id, err = p.graph.UploadPagePhoto(ctx, token, j.ExternalID, m.URL)
		}
		if err != nil {
			return meta.PostResult{}, nil, fmt.Errorf("photo %d of %d: %w", i+1, len(photos), err)
		}
		ids = append(ids, id)
	}
	res, err = p.graph.PublishPageFeed(ctx, token, j.ExternalID, meta.FeedPost{Message: j.Caption, MediaFBIDs: ids})
	return res, nil, err
}
