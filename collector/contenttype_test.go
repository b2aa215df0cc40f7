package collector

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/meta/graphsim"
	"github.com/humas-id/humas/store"
)

// reportQuery is how reports read content types: the newest posts version
// joined with each post's latest snapshot.
const reportQuery = `SELECT p.content_type AS content_type, count() AS n, sum(s.interactions) AS interactions
FROM (SELECT platform, post_id, content_type FROM posts FINAL) AS p
ALL INNER JOIN (SELECT platform, post_id, argMax(interactions, slot) AS interactions
                FROM post_metrics FINAL GROUP BY platform, post_id) AS s
USING (platform, post_id)
WHERE p.platform = ? AND p.post_id = ?
GROUP BY content_type`

func (e *env) reportType(platform, postID string) string {
	e.t.Helper()
	var ct string
	var n, inter uint64
	if err := e.ch.QueryRow(context.Background(), reportQuery, platform, postID).Scan(&ct, &n, &inter); err != nil {
		e.t.Fatalf("report query for %s/%s: %v", platform, postID, err)
	}
	return ct
}

func firstOfKind(items []graphsim.Item, kind string) graphsim.Item {
	for _, it := range items {
		if it.Kind == kind {
			return it
		}
	}
	return graphsim.Item{}
}

// Posts found on a channel get a content type inferred from the media
// type; posts published through humas take theirs from the humas post;
// after a PATCH reports use the new type, and later collections keep it.
func TestContentTypesInferredLinkedAndCorrected(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.addAccounts(1, true, 20, 4)
	fb, ig := e.chans[0], e.chans[1]
	fbItems, igItems := e.sim.Published(fb.ExternalID), e.sim.Published(ig.ExternalID)
	photo, album, video, link, text := firstOfKind(fbItems, "photo"), firstOfKind(fbItems, "album"),
		firstOfKind(fbItems, "video"), firstOfKind(fbItems, "link"), firstOfKind(fbItems, "text")
	reel, carousel, image := firstOfKind(igItems, "reel"), firstOfKind(igItems, "carousel"), firstOfKind(igItems, "image")

	// The video post was published through humas as "interactive".
	users := auth.NewStore(e.sql)
	u, _, err := users.CreateUser(ctx, "editor1", e.unit.ID, auth.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	now := store.FormatTime(e.clock.Now())
	humasPost, err := store.InsertID(ctx, e.sql.DB, `INSERT INTO posts (unit_id, author_id, caption, content_type, classification, campaign,
		scheduled_at, state, created_at, updated_at) VALUES (?, ?, 'Kuis', 'interactive', 'public', 'pilkada-2026', ?, 'published', ?, ?)`,
		e.unit.ID, u.ID, now, now, now)
	if err != nil {
		t.Fatal(err)
	}
	delivery, err := store.InsertID(ctx, e.sql.DB, `INSERT INTO deliveries (post_id, channel_id, status, scheduled_at, platform_id, created_at, updated_at)
		VALUES (?, ?, 'published', ?, ?, ?, ?)`, humasPost, fb.ID, now, video.ID, now, now)
	if err != nil {
		t.Fatal(err)
	}

	c := e.collector(nil)
	if _, err := c.Run(ctx, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		platform string
		item     graphsim.Item
		want     string
	}{
		{"facebook", photo, TypePhoto}, {"facebook", album, TypePhoto}, {"facebook", link, TypeLink},
		{"facebook", text, TypeText}, {"facebook", video, TypeInteractive},
		{"instagram", image, TypePhoto}, {"instagram", reel, TypeVideo}, {"instagram", carousel, TypePhoto},
	} {
		if tc.item.ID == "" {
			t.Fatalf("the simulator seeded no %s %s item", tc.platform, tc.want)
		}
		if got := e.reportType(tc.platform, tc.item.ID); got != tc.want {
			t.Errorf("%s %s (%s): content type %q, want %q", tc.platform, tc.item.Kind, tc.item.ID, got, tc.want)
		}
	}
	row, err := c.postRow(ctx, "facebook", video.ID)
	if err != nil {
		t.Fatal(err)
	}
	if row.ContentTypeSource != SourceHumas || row.Campaign != "pilkada-2026" || row.HumasPostID != uint64(humasPost) || row.DeliveryID != uint64(delivery) {
		t.Fatalf("linked post row = %+v, want humas post %d, delivery %d, campaign pilkada-2026", row, humasPost, delivery)
	}
	if row, _ := c.postRow(ctx, "facebook", photo.ID); row.ContentTypeSource != SourceInferred {
		t.Fatalf("post found on the Page has source %q, want inferred", row.ContentTypeSource)
	}

	// An editor corrects the carousel: the report uses the new type at once.
	chg, err := c.SetContentType(ctx, "instagram", carousel.ID, TypeInteractive, auth.Principal{UserID: u.ID, Name: "editor1", Role: auth.RoleEditor})
	if err != nil {
		t.Fatal(err)
	}
	if chg.Previous != TypePhoto || chg.ContentType != TypeInteractive || chg.Buffered {
		t.Fatalf("change = %+v", chg)
	}
	if got := e.reportType("instagram", carousel.ID); got != TypeInteractive {
		t.Fatalf("report after PATCH uses %q, want interactive", got)
	}
	// A later collection (next slot) keeps the correction.
	e.clock.Advance(2 * time.Hour)
	if _, err := c.Run(ctx, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := e.reportType("instagram", carousel.ID); got != TypeInteractive {
		t.Fatalf("report after the next collection uses %q, want the override interactive", got)
	}
	var audits int
	if err := e.sql.DB.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE entity = 'platform_post' AND to_state = 'interactive'`).Scan(&audits); err != nil {
		t.Fatal(err)
	}
	if audits != 1 {
		t.Fatalf("%d audit entries for the correction, want 1", audits)
	}

	// Bad input and unknown posts say what is wrong.
	var ie *InputError
	if _, err := c.SetContentType(ctx, "instagram", carousel.ID, TypeText, auth.Principal{}); !errors.As(err, &ie) || ie.Field != "content_type" {
		t.Fatalf("text on instagram: %v, want an InputError on content_type", err)
	}
	if _, err := c.SetContentType(ctx, "tiktok", "1", TypePhoto, auth.Principal{}); !errors.As(err, &ie) || ie.Field != "platform" {
		t.Fatalf("unknown platform: %v", err)
	}
	if _, err := c.SetContentType(ctx, "facebook", "999_999", TypePhoto, auth.Principal{}); !errors.Is(err, ErrPostNotFound) {
		t.Fatalf("unknown post: %v, want ErrPostNotFound", err)
	}
}
