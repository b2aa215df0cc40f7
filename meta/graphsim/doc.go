// Package graphsim is a stateful simulator of the parts of the Meta Graph API
// that humas uses: Page publishing (feed, photos, videos, Reels), Instagram
// containers and publishing, reading posts, media, videos and Reels with
// field expansion, insights (video_insights too), paging, batch requests,
// debug_token (Page, system-user and other apps' tokens), usage headers and
// throttling. It is an http.Handler, used by tests (behind
// httptest.NewServer) and by sandbox mode (Start).
//
// It validates requests as strictly as Meta does, or more strictly where the
// platform's behaviour is unconfirmed, answers with Meta's shapes and error
// envelopes, injects faults on demand, and simulates a deterministic audience
// so published posts gain reach and interactions over time.
//
// # Meta's quirks
//
// Options.Quirks turns on what the real API does and its documentation's
// happy paths do not show, as other tools' users have reported it
// (MetaQuirks turns on every deterministic one; the crash-safety and
// collector tests run with them):
//
//   - PerformedThenErrorRate (and the fault kind FaultPerformedThenError):
//     a publishing write takes effect, then answers HTTP 500 code 1, HTTP 503
//     code 2 or HTTP 500 is_transient.
//   - VerticalVideoAsReelDraft: a vertical video of 90 s or less (its shape
//     set with SetMediaFile) posted to /{page}/videos becomes an unpublished
//     Reel draft; the Reels flow (POST /{page}/video_reels upload_phase=start,
//     POST the upload_url with a file_url header, upload_phase=finish with
//     video_state=PUBLISHED) publishes it.
//   - OmitVideoPostID: video nodes and /{page}/videos carry no post_id; the
//     post is found by its attachment's target id.
//   - StrictContainerFields: caption on stories and alt_text on anything but
//     images are rejected.
//   - MediaFetchFailRate: container creation answers 9004 / 2207052 now and
//     then (never twice in a row for a URL).
//   - InstagramMetricWording: IG endpoints word a retired metric
//     "(#100) metric[N] must be one of the following values: ..." or
//     "Starting from version 22 and above, the X metric is no longer supported".
//   - ProductTypeWordings: a metric unsuited to a media product type is
//     rejected in either of Meta's two wordings.
//   - SummariesNeedUserContent: reaction and comment summaries need
//     pages_read_user_content.
//   - ReelsInsightsOnVideo: a Reel's post insights are zero; its figures are
//     on /{video-id}/video_insights (blue_reels_play_count, ...), also by
//     field expansion on GET /{page}/video_reels.
//
// Per-object behaviours are admin calls: SetPolicyBlock (code 368 / 1390008
// posting-rate block, or code 4 / 2207051 spam restriction, on every
// publishing write until a time), SetConverted (media posted before an IG
// account's business conversion fail insights with 100 / 2108006, alone or
// in a /media expansion), SetOversize (a Page's /posts pages with insights
// above a size fail with code 1 "Please reduce the amount of data"),
// SeedReels, AddSystemUser (a Business Manager system-user token; GET
// /{page}?fields=access_token derives the Page token) and AddForeignToken
// (another app's token: "Invalid appsecret_proof"); the fault kinds
// FaultContainerStuck (a container stays IN_PROGRESS) and FaultVideoFailed
// (a video ends "error" or "expired"). Options.IGHashtagCap simulates
// Instagram's announced 5-hashtag cap.
//
// # Facebook Login for Business
//
// The simulator also plays Facebook for the browser (login.go): the OAuth
// dialog at /{version}/dialog/oauth is an HTML page a real browser clicks
// through ("Continue as" the person signed in, the Pages to share, each
// permission a checkbox that can be unticked, Cancel), checking the app id,
// the registered redirect URIs (AllowRedirectURI) and the scopes as
// Facebook does; GET /oauth/access_token trades a code (once, within 10
// minutes, with its redirect URI) for a short-lived user token and
// fb_exchange_token for a long-lived one; /me/permissions lists what was
// granted and declined; /me/accounts lists the Pages with their tokens
// (without expiry when read with a long-lived token), the person's tasks
// and the linked Instagram account, and is empty without pages_show_list.
// A declined permission is not asked again without auth_type=rerequest. A
// Page token of a person without CREATE_CONTENT or MANAGE cannot publish.
// People are added with AddUser and AddPageRole (SetupDemo adds the
// sandbox's two); AnswerDialog answers the dialog without a browser.
//
// Each call needs the permissions Meta's references list (publishing to a
// Page: pages_manage_posts, pages_read_engagement, pages_show_list;
// Instagram publishing: instagram_basic, instagram_content_publish,
// pages_read_engagement, and through Business Manager business_management
// and ads_read or ads_management; insights: read_insights or
// instagram_manage_insights; comments: pages_read_user_content to read,
// pages_manage_engagement to reply and hide, instagram_manage_comments on
// Instagram); DefaultPagePerms (the demo tokens') holds all.
//
// The audience also comments (comments.go): each post's comments follow its
// comments count, about a third are questions, some reply to others; the
// Page replies and hides through the Graph endpoints.
package graphsim
