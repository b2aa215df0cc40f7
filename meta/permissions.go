package meta

import (
	"slices"
	"strings"
)

// Function is something humas does with a channel's token; each needs
// its own permissions.
type Function string

// Functions.
const (
	FuncPagePublish  Function = "page_publish"  // POST /{page}/feed, /photos, /videos, /video_reels
	FuncPageInsights Function = "page_insights" // /{page}/posts with insights, /{video}/video_insights
	FuncIGPublish    Function = "ig_publish"    // /{ig}/media, /media_publish, /content_publishing_limit
	FuncIGInsights   Function = "ig_insights"   // /{ig}/media with insights, /{media}/insights
	FuncPageComments Function = "page_comments" // /{post}/comments, replies and hiding
	FuncIGComments   Function = "ig_comments"   // /{media}/comments, /{comment}/replies and hiding
)

// RequiredPermissions lists the permissions a function needs, per Meta's
// references: Page publishing needs pages_manage_posts,
// pages_read_engagement and pages_show_list (videos and Reels too);
// Instagram publishing needs instagram_basic, instagram_content_publish
// and pages_read_engagement, and when the token comes through a Business
// Manager role (a system user) also business_management and ads_read or
// ads_management; insights need read_insights (Facebook) or
// instagram_manage_insights (Instagram). An entry "a|b" is satisfied by
// either.
func RequiredPermissions(f Function, businessManager bool) []string {
	switch f {
	case FuncPagePublish:
		return []string{"pages_manage_posts", "pages_read_engagement", "pages_show_list"}
	case FuncPageInsights:
		return []string{"read_insights", "pages_read_engagement"}
	case FuncIGPublish:
		p := []string{"instagram_basic", "instagram_content_publish", "pages_read_engagement"}
		if businessManager {
			p = append(p, "business_management", "ads_read|ads_management")
		}
		return p
	case FuncIGInsights:
		return []string{"instagram_basic", "instagram_manage_insights", "pages_read_engagement"}
	case FuncPageComments:
		// Reading comments and their authors is user content; replying
		// as the Page and hiding need pages_manage_engagement.
		return []string{"pages_read_engagement", "pages_read_user_content", "pages_manage_engagement"}
	case FuncIGComments:
		return []string{"instagram_basic", "instagram_manage_comments", "pages_read_engagement"}
	}
	return nil
}

// FunctionsOf lists the functions a channel of platform ("facebook" or
// "instagram") performs.
func FunctionsOf(platform string) []Function {
	if platform == "instagram" {
		return []Function{FuncIGPublish, FuncIGInsights}
	}
	return []Function{FuncPagePublish, FuncPageInsights}
}

// CommentFunctionsOf lists the comment functions of a channel of platform:
// the inbox needs them, publishing does not, so a token without them still
// connects and its health lists what the inbox lacks.
func CommentFunctionsOf(platform string) []Function {
	if platform == "instagram" {
		return []Function{FuncIGComments}
	}
	return []Function{FuncPageComments}
}

// MissingPermissions returns the required scopes the token lacks; an
// entry "a|b" is met by either and reported as is.
func (t TokenInfo) MissingPermissions(required ...string) []string {
	var out []string
	for _, r := range required {
		ok := false
		for _, alt := range strings.Split(r, "|") {
			if slices.Contains(t.Scopes, alt) {
				ok = true
				break
			}
		}
		if !ok && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// LoginScopes are the permissions humas asks for in Facebook Login: every
// function's, with a Business Manager role (business_management and, of
// "ads_read|ads_management", ads_read), so a Page an office manages
// through Business Manager publishes to Instagram too, and the comments
// inbox's (reading, replying, hiding). The README lists them for App Review.
func LoginScopes() []string {
	var out []string
	for _, f := range []Function{FuncPagePublish, FuncPageInsights, FuncIGPublish, FuncIGInsights, FuncPageComments, FuncIGComments} {
		for _, p := range RequiredPermissions(f, true) {
			p, _, _ = strings.Cut(p, "|")
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}
