package meta

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// PagePost is a Facebook Page post with its counts and (optionally) insights.
type PagePost struct {
	ID           string
	Message      string
	CreatedTime  time.Time
	PermalinkURL string
	StatusType   string // e.g. mobile_status_update, added_photos, added_video, shared_story
	// MediaType is attachments[0].media_type (photo, video, album, link), empty for text.
	MediaType string
	// Picture is full_picture: the post's image (a video's poster) on
	// Meta's CDN, empty for text posts.
	Picture string
	// TargetID is attachments[0].target.id: for a video or Reel, the video id.
	TargetID    string
	IsPublished bool
	// Counts from summary fields; provenance "reactions", "comments", "shares".
	Reactions Value
	Comments  Value
	Shares    Value
	Insights  PostInsights
}

type rawPagePost struct {
	ID           string `json:"id"`
	Message      string `json:"message"`
	CreatedTime  string `json:"created_time"`
	PermalinkURL string `json:"permalink_url"`
	StatusType   string `json:"status_type"`
	FullPicture  string `json:"full_picture"`
	IsPublished  *bool  `json:"is_published"`
	Attachments  *struct {
		Data []struct {
			MediaType string `json:"media_type"`
			Target    *struct {
				ID string `json:"id"`
			} `json:"target"`
		} `json:"data"`
	} `json:"attachments"`
	Shares    *countField      `json:"shares"`
	Reactions *summaryField    `json:"reactions"`
	Comments  *summaryField    `json:"comments"`
	Insights  InsightsResponse `json:"insights"`
}

const (
	pagePostBaseFields = "id,message,created_time,permalink_url,status_type,full_picture,is_published,attachments{media_type,type,target{id}},shares"
	pagePostSummaries  = ",reactions.limit(0).summary(total_count),comments.limit(0).summary(true)"
	pagePostFields     = pagePostBaseFields + pagePostSummaries
)

// pagePostFields lists the fields of a post listing. Without summaries
// (Meta refused them: they need pages_read_user_content), the reaction
// and comment counts come from insights that need only read_insights:
// post_reactions_by_type_total and post_activity_by_action_type.
func (c *Client) pagePostFields(withInsights bool, omit []string, summaries bool) string {
	ms := without(c.metrics.FB(), omit)
	if !withInsights {
		ms = nil
	}
	fields := pagePostFields
	if !summaries {
		fields = pagePostBaseFields
		for _, m := range []string{c.metrics.FBReactionsByType, c.metrics.FBActivity} {
			if !slices.Contains(ms, m) && !slices.Contains(omit, m) {
				ms = append(ms, m)
			}
		}
	}
	if len(ms) == 0 {
		return fields
	}
	return fields + ",insights.metric(" + strings.Join(ms, ",") + ")"
}

func (c *Client) toPagePost(r rawPagePost) PagePost {
	p := PagePost{
		ID: r.ID, Message: r.Message, CreatedTime: graphTime(r.CreatedTime), PermalinkURL: r.PermalinkURL,
		StatusType: r.StatusType, Picture: r.FullPicture, IsPublished: r.IsPublished == nil || *r.IsPublished,
		Reactions: Value{Metric: "reactions"}, Comments: Value{Metric: "comments"},
		Shares:   Value{Metric: "shares", OK: true}, // absent when 0
		Insights: c.metrics.postInsights(r.Insights),
	}
	if r.Attachments != nil && len(r.Attachments.Data) > 0 {
		p.MediaType = r.Attachments.Data[0].MediaType
		if t := r.Attachments.Data[0].Target; t != nil {
			p.TargetID = t.ID
		}
	}
	if r.Reactions != nil {
		p.Reactions.Value, p.Reactions.OK = r.Reactions.Summary.TotalCount, true
	} else if rbt := p.Insights.ReactionsByType; rbt.OK {
		// No summary (refused): the sum of the reactions by type.
		p.Reactions = Value{Metric: rbt.Metric, OK: true}
		for _, n := range rbt.Values {
			p.Reactions.Value += n
		}
	}
	if r.Comments != nil {
		p.Comments.Value, p.Comments.OK = r.Comments.Summary.TotalCount, true
	} else if a := p.Insights.Activity; a.OK {
		p.Comments = Value{Metric: a.Metric, Value: a.Values["comment"], OK: true}
	}
	if r.Shares != nil {
		p.Shares.Value = r.Shares.Count
	}
	return p
}

func timeParams(v url.Values, o ListOptions) {
	v.Set("limit", strconv.Itoa(o.limit()))
	if !o.Since.IsZero() {
		v.Set("since", strconv.FormatInt(o.Since.Unix(), 10))
	}
	if !o.Until.IsZero() {
		v.Set("until", strconv.FormatInt(o.Until.Unix(), 10))
	}
}

// ListPagePosts lists the posts a Page published (GET /{page}/posts), newest
// first, with reaction, comment and share counts and, with WithInsights, the
// post insights through field expansion: one call per page of up to 100 posts.
// A retired metric fails with ClassRetiredMetric naming the metric; once it
// is known, o.OmitMetrics leaves it out and the listing goes on at the same
// cost, that figure missing.
func (c *Client) ListPagePosts(ctx context.Context, token, pageID string, o ListOptions) ([]PagePost, error) {
	_, refused := c.noSummaries.Load(pageID)
	list := func(summaries bool) ([]PagePost, error) {
		v := url.Values{"fields": {c.pagePostFields(o.WithInsights, o.OmitMetrics, summaries)}}
		timeParams(v, o)
		var out []PagePost
		err := listAll(ctx, c, request{endpoint: "page_posts_list", method: http.MethodGet, path: pageID + "/posts", params: v, token: token},
			func(r rawPagePost) { out = append(out, c.toPagePost(r)) })
		return out, err
	}
	out, err := list(!refused)
	var me *Error
	if !refused && errors.As(err, &me) && me.Class == ClassPermission && !strings.Contains(me.Permission, "read_insights") {
		// The reaction and comment summaries need pages_read_user_content:
		// read the counts from insights instead (read_insights), and
		// remember it for this Page.
		c.log.WarnContext(ctx, "page post summaries refused; counting reactions and comments from insights",
			"page_id", pageID, "permission", me.Permission)
		if out, err = list(false); err == nil {
			c.noSummaries.Store(pageID, true)
		}
	}
	if err != nil {
		if ms := without(c.metrics.FB(), o.OmitMetrics); o.WithInsights && len(ms) > 0 {
			c.nameRetiredMetric(ctx, token, err, func() (string, error) { return c.firstID(ctx, token, pageID+"/posts") }, ms)
		}
		return nil, err
	}
	return out, nil
}

// GetPagePost reads one post with counts (and insights when withInsights).
func (c *Client) GetPagePost(ctx context.Context, token, postID string, withInsights bool) (PagePost, error) {
	var r rawPagePost
	_, refused := c.noSummaries.Load(strings.SplitN(postID, "_", 2)[0])
	v := url.Values{"fields": {c.pagePostFields(withInsights, nil, !refused)}}
	if _, err := c.call(ctx, request{endpoint: "page_post_get", method: http.MethodGet, path: postID, params: v, token: token}, &r); err != nil {
		return PagePost{}, err
	}
	return c.toPagePost(r), nil
}

// FindPagePost returns the newest post published since `since` for which
// match is true. The scheduler uses it to reconcile an uncertain publish
// (e.g. match on the message) before sending anything again.
func (c *Client) FindPagePost(ctx context.Context, token, pageID string, since time.Time, match func(PagePost) bool) (PagePost, bool, error) {
	// No counts: reconciling needs the text and ids only (and no permission
	// beyond pages_read_engagement).
	v := url.Values{"fields": {pagePostBaseFields}}
	timeParams(v, ListOptions{Since: since})
	var posts []PagePost
	err := listAll(ctx, c, request{endpoint: "page_posts_list", method: http.MethodGet, path: pageID + "/posts", params: v, token: token},
		func(r rawPagePost) { posts = append(posts, c.toPagePost(r)) })
	if err != nil {
		return PagePost{}, false, err
	}
	for _, p := range posts {
		if match(p) {
			return p, true, nil
		}
	}
	return PagePost{}, false, nil
}

// PageFollowers reads GET /{page}?fields=followers_count.
func (c *Client) PageFollowers(ctx context.Context, token, pageID string) (int64, error) {
	return c.followers(ctx, "page_followers", token, pageID)
}

// IGFollowers reads GET /{ig-user}?fields=followers_count.
func (c *Client) IGFollowers(ctx context.Context, token, igUserID string) (int64, error) {
	return c.followers(ctx, "ig_followers", token, igUserID)
}

func (c *Client) followers(ctx context.Context, endpoint, token, id string) (int64, error) {
	var a struct {
		FollowersCount *int64 `json:"followers_count"`
	}
	v := url.Values{"fields": {"followers_count"}}
	if _, err := c.call(ctx, request{endpoint: endpoint, method: http.MethodGet, path: id, params: v, token: token}, &a); err != nil {
		return 0, err
	}
	if a.FollowersCount == nil {
		return 0, errors.New("meta: " + endpoint + ": followers_count missing")
	}
	return *a.FollowersCount, nil
}

// PageInstagramAccount returns the Instagram professional account linked to
// a Page (GET /{page}?fields=instagram_business_account), "" if none.
func (c *Client) PageInstagramAccount(ctx context.Context, token, pageID string) (string, error) {
	var a struct {
		IG *struct {
			ID string `json:"id"`
		} `json:"instagram_business_account"`
	}
	v := url.Values{"fields": {"instagram_business_account"}}
	if _, err := c.call(ctx, request{endpoint: "page_ig_account", method: http.MethodGet, path: pageID, params: v, token: token}, &a); err != nil {
		return "", err
	}
	if a.IG == nil {
		return "", nil
	}
	return a.IG.ID, nil
}

// firstID returns the id of the first item of an edge ("" if empty).
func (c *Client) firstID(ctx context.Context, token, edge string) (string, error) {
	var p pageOf[struct {
		ID string `json:"id"`
	}]
	v := url.Values{"fields": {"id"}, "limit": {"1"}}
	if _, err := c.call(ctx, request{endpoint: "metric_probe_list", method: http.MethodGet, path: edge, params: v, token: token}, &p); err != nil {
		return "", err
	}
	if len(p.Data) == 0 {
		return "", nil
	}
	return p.Data[0].ID, nil
}
