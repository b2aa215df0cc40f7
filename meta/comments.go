package meta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Comment is a comment or reply on a Facebook post or Instagram media item.
type Comment struct {
	ID       string
	ObjectID string // the post or media item
	ParentID string // the comment it answers; "" for a top-level comment
	Message  string
	Created  time.Time
	FromID   string // the commenter's platform id (the Page or IG account for its own replies)
	FromName string // name (Facebook) or username (Instagram)
	Hidden   bool
}

type rawComment struct {
	ID          string `json:"id"`
	Message     string `json:"message"`
	Text        string `json:"text"`
	CreatedTime string `json:"created_time"`
	Timestamp   string `json:"timestamp"`
	Username    string `json:"username"`
	From        *struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Username string `json:"username"`
	} `json:"from"`
	Parent *struct {
		ID string `json:"id"`
	} `json:"parent"`
	IsHidden *bool `json:"is_hidden"`
	Hidden   *bool `json:"hidden"`
	Replies  *struct {
		Data []rawComment `json:"data"`
	} `json:"replies"`
}

func (r rawComment) comment(objectID, parentID string) Comment {
	c := Comment{ID: r.ID, ObjectID: objectID, ParentID: parentID, Message: r.Message, Created: graphTime(r.CreatedTime), FromName: r.Username}
	if c.Message == "" {
		c.Message = r.Text
	}
	if c.Created.IsZero() {
		c.Created = graphTime(r.Timestamp)
	}
	if r.From != nil {
		c.FromID = r.From.ID
		if r.From.Name != "" {
			c.FromName = r.From.Name
		} else if c.FromName == "" {
			c.FromName = r.From.Username
		}
	}
	if r.Parent != nil && c.ParentID == "" {
		c.ParentID = r.Parent.ID
	}
	if r.IsHidden != nil {
		c.Hidden = *r.IsHidden
	} else if r.Hidden != nil {
		c.Hidden = *r.Hidden
	}
	return c
}

const (
	fbCommentFields = "id,message,created_time,from{id,name},parent{id},is_hidden"
	igCommentFields = "id,text,timestamp,username,from{id,username},hidden"
	igCommentList   = igCommentFields + ",replies{" + igCommentFields + "}"
)

// CommentTarget is a post or media item whose comments are read.
type CommentTarget struct {
	Platform string // "facebook" or "instagram"
	ObjectID string
}

func commentsRequest(t CommentTarget) (path string, v url.Values) {
	if t.Platform == "instagram" {
		return t.ObjectID + "/comments", url.Values{"fields": {igCommentList}, "limit": {"100"}}
	}
	return t.ObjectID + "/comments", url.Values{"fields": {fbCommentFields}, "filter": {"stream"},
		"order": {"reverse_chronological"}, "limit": {"100"}}
}

// flatten turns a listing's comments (Instagram's with their replies
// expanded) into a flat list.
func flatten(objectID string, raw []rawComment) []Comment {
	var out []Comment
	for _, r := range raw {
		c := r.comment(objectID, "")
		out = append(out, c)
		if r.Replies != nil {
			for _, rr := range r.Replies.Data {
				out = append(out, rr.comment(objectID, c.ID))
			}
		}
	}
	return out
}

// newerThan keeps the comments created after since (all when zero).
func newerThan(list []Comment, since time.Time) []Comment {
	if since.IsZero() {
		return list
	}
	out := list[:0:0]
	for _, c := range list {
		if c.Created.After(since) {
			out = append(out, c)
		}
	}
	return out
}

// ListComments reads the comments of one post or media item created
// after since (all when zero). Facebook: GET /{post}/comments with
// filter=stream newest first, stopping at the first page that reaches
// since. Instagram: GET /{media}/comments with replies expanded (replies
// can be newer than their comment, so every page is read).
func (c *Client) ListComments(ctx context.Context, token string, t CommentTarget, since time.Time) ([]Comment, error) {
	path, v := commentsRequest(t)
	endpoint := "post_comments_list"
	if t.Platform == "instagram" {
		endpoint = "ig_media_comments_list"
	}
	var raw []rawComment
	err := listWhile(ctx, c, request{endpoint: endpoint, method: http.MethodGet, path: path, params: v, token: token}, func(r rawComment) bool {
		raw = append(raw, r)
		return t.Platform == "instagram" || since.IsZero() || graphTime(r.CreatedTime).After(since)
	})
	if err != nil {
		return nil, err
	}
	return newerThan(flatten(t.ObjectID, raw), since), nil
}

// CommentsResult is one target's answer in ListCommentsBatch.
type CommentsResult struct {
	Comments []Comment
	Err      error
}

// ListCommentsBatch reads the comments newer than since of many targets
// with batch requests: one HTTP request per 50 targets (Meta still counts
// each entry as a call). A target whose first page is full and still newer
// than since is read on from its next page. Results are in target order.
func (c *Client) ListCommentsBatch(ctx context.Context, token string, targets []CommentTarget, since []time.Time) ([]CommentsResult, error) {
	if len(since) != len(targets) {
		return nil, errors.New("meta: comments batch: one since per target")
	}
	reqs := make([]BatchRequest, len(targets))
	for i, t := range targets {
		path, v := commentsRequest(t)
		reqs[i] = BatchRequest{Method: http.MethodGet, RelativeURL: path + "?" + v.Encode()}
	}
	answers, err := c.Batch(ctx, token, reqs)
	if err != nil {
		return nil, err
	}
	out := make([]CommentsResult, len(targets))
	for i, a := range answers {
		var p pageOf[rawComment]
		if err := a.Decode(&p); err != nil {
			out[i].Err = err
			continue
		}
		raw := p.Data
		more := p.Paging != nil && p.Paging.Next != ""
		if more && (targets[i].Platform == "instagram" || since[i].IsZero() ||
			len(raw) > 0 && graphTime(raw[len(raw)-1].CreatedTime).After(since[i])) {
			// Read on from the batch answer's next page.
			next := request{endpoint: "comments_next", method: http.MethodGet, rawURL: p.Paging.Next, token: token}
			out[i].Err = listWhile(ctx, c, next, func(r rawComment) bool {
				raw = append(raw, r)
				return targets[i].Platform == "instagram" || since[i].IsZero() || graphTime(r.CreatedTime).After(since[i])
			})
		}
		out[i].Comments = newerThan(flatten(targets[i].ObjectID, raw), since[i])
	}
	return out, nil
}

// ReplyComment publishes the Page's (or IG account's) reply to a comment:
// POST /{comment}/comments on Facebook, /{comment}/replies on Instagram.
// It returns the reply's id. A failed answer may still have published the
// reply (IsUncertain): find it with FindReply before sending again.
func (c *Client) ReplyComment(ctx context.Context, token, platform, commentID, message string) (string, error) {
	if strings.TrimSpace(message) == "" {
		return "", errors.New("meta: comment_reply: message required")
	}
	path, endpoint := commentID+"/comments", "comment_reply"
	if platform == "instagram" {
		path, endpoint = commentID+"/replies", "ig_comment_reply"
	}
	var a idAnswer
	if _, err := c.call(ctx, request{endpoint: endpoint, method: http.MethodPost, path: path, params: url.Values{"message": {message}}, token: token}, &a); err != nil {
		return "", err
	}
	if a.ID == "" {
		return "", fmt.Errorf("meta: %s: answer without id", endpoint)
	}
	return a.ID, nil
}

// FindReply returns the reply under commentID written by authorID (the
// Page or IG account) for which match is true: how an uncertain reply is
// reconciled before anything is sent again.
func (c *Client) FindReply(ctx context.Context, token, platform, commentID, authorID string, match func(Comment) bool) (Comment, bool, error) {
	path, endpoint, fields := commentID+"/comments", "comment_replies_list", fbCommentFields
	if platform == "instagram" {
		path, endpoint, fields = commentID+"/replies", "ig_comment_replies_list", igCommentFields
	}
	var found Comment
	ok := false
	err := listWhile(ctx, c, request{endpoint: endpoint, method: http.MethodGet, path: path,
		params: url.Values{"fields": {fields}, "limit": {"100"}}, token: token}, func(r rawComment) bool {
		cm := r.comment("", commentID)
		if (cm.FromID == authorID || authorID == "") && match(cm) {
			found, ok = cm, true
			return false
		}
		return true
	})
	return found, ok, err
}

// HideComment hides (or shows again) a comment: POST /{comment} with
// is_hidden (Facebook) or hide (Instagram).
func (c *Client) HideComment(ctx context.Context, token, platform, commentID string, hide bool) error {
	key, endpoint := "is_hidden", "comment_hide"
	if platform == "instagram" {
		key, endpoint = "hide", "ig_comment_hide"
	}
	var a struct {
		Success bool `json:"success"`
	}
	// Hiding is idempotent: a retry after an uncertain answer is harmless.
	req := request{endpoint: endpoint, method: http.MethodPost, path: commentID, params: url.Values{key: {strconv.FormatBool(hide)}}, token: token, idempotent: true}
	if _, err := c.call(ctx, req, &a); err != nil {
		return err
	}
	if !a.Success {
		return fmt.Errorf("meta: %s: Meta did not confirm", endpoint)
	}
	return nil
}
