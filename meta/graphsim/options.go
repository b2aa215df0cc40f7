package graphsim

import (
	"log/slog"
	"net/http"
	"time"
)

// Options configures a Sim. Zero values take the defaults noted.
type Options struct {
	// Clock is the simulated time (default time.Now).
	Clock func() time.Time
	// Seed makes ids, faults and the audience deterministic.
	Seed int64
	// AppID and AppSecret identify the app: the app token is AppID|AppSecret
	// and appsecret_proof is checked against AppSecret when present.
	AppID, AppSecret string
	// RequireProof rejects calls without appsecret_proof ("Require App Secret").
	RequireProof bool

	// IGReadyDelay is how long an image container stays IN_PROGRESS (default 5 s);
	// IGVideoReadyDelay the same for video (reels, video stories and items; default 60 s).
	IGReadyDelay, IGVideoReadyDelay time.Duration
	// FBVideoReadyDelay is how long a Page video (POST /{page}/videos) stays
	// processing (default 60 s). Until then its post is not in /{page}/posts
	// (or /feed, /published_posts); the video is in /{page}/videos at once.
	FBVideoReadyDelay time.Duration
	// ContainerTTL is when a container expires (default 24 h).
	ContainerTTL time.Duration
	// DailyPublishQuota is the enforced IG publishes per rolling 24 h (default 50);
	// ReportedQuotaTotal is what content_publishing_limit reports (default the same).
	DailyPublishQuota, ReportedQuotaTotal int
	// MaxPageLimit caps a list page's size (default 100); DefaultPageLimit is
	// the size without limit= (default 25).
	MaxPageLimit, DefaultPageLimit int
	// ScheduleMin and ScheduleMax bound scheduled_publish_time ahead of now.
	// Defaults are the stricter observed window: 20 min and 29 days.
	ScheduleMin, ScheduleMax time.Duration
	// UsagePerCall is the usage percentage each call adds for its object and
	// the app (default 0.1); usage drains fully over UsageWindow (default 1 h).
	UsagePerCall float64
	UsageWindow  time.Duration
	// InsightsDelay is the age before a post's insights exist; younger posts
	// answer insights with empty data (default 10 min).
	InsightsDelay time.Duration
	// DuplicateWindow is how far back an identical feed message is a duplicate (506; default 24 h).
	DuplicateWindow time.Duration
	// PublicURL is the base of paging URLs (default http://<request Host>).
	PublicURL string
	// Faults injects failures at random (see also Sim.InjectFault).
	Faults FaultOptions
	// Quirks turns on behaviours of the real Graph API that are kinder to
	// clients here by default (see Quirks and MetaQuirks).
	Quirks Quirks
	// IGHashtagCap is how many hashtags an Instagram caption may carry
	// (default 30, as the API reference says; Instagram announced 5 from
	// December 2025: set 5 to simulate that cap).
	IGHashtagCap int
	// FetchMedia makes Instagram containers fetch their image_url and
	// video_url as Meta does: a URL that cannot be fetched fails with code
	// 9004 / subcode 2207052, an image that is not a JPEG with 36001 /
	// 2207005 (by its bytes, not its name), outside 4:5 to 1.91:1 with
	// 36003 / 2207009, a video that is not MP4 or MOV with 352 / 2207026.
	// Off, URLs are judged by their extension only. FetchClient does the
	// fetching (default http.DefaultClient).
	FetchMedia  bool
	FetchClient *http.Client
	// Logger receives debug logs (default discard).
	Logger *slog.Logger
}

// Quirks are things the real Graph API does that its documentation's
// happy paths do not show, as other tools' users have reported them. Each
// is off in a zero Options (the simulator then answers as documented);
// MetaQuirks turns on every deterministic one, and the crash-safety and
// collector tests run with them. The numbers refer to issue 14.
type Quirks struct {
	// PerformedThenErrorRate (1): this fraction of publishing writes
	// (POST /{page}/feed, /photos, /videos, /video_reels finish,
	// /{ig}/media_publish) takes effect and then answers HTTP 500 code 1,
	// HTTP 503 code 2 or HTTP 500 is_transient, as if it had failed.
	// Sim.InjectFault with FaultPerformedThenError does it on demand.
	PerformedThenErrorRate float64
	// VerticalVideoAsReelDraft (2): a vertical (9:16) video of 90 s or less
	// posted to /{page}/videos becomes an unpublished Reel draft: the upload
	// answers as usual and the video reaches "ready", but no post appears
	// on the Page. Register a file's shape with Sim.SetMediaFile; the Reels
	// flow (/{page}/video_reels) publishes such videos.
	VerticalVideoAsReelDraft bool
	// OmitVideoPostID (7): Page video nodes (GET /{video}, /{page}/videos)
	// do not report post_id, and the upload answer has only the video id.
	OmitVideoPostID bool
	// StrictContainerFields (8): POST /{ig}/media rejects caption on
	// stories and carousel items and alt_text on anything but images.
	StrictContainerFields bool
	// MediaFetchFailRate (5): this fraction of container creations answers
	// code 9004 / subcode 2207052 (the media could not be fetched) without
	// creating anything; a URL never fails twice in a row.
	MediaFetchFailRate float64
	// InstagramMetricWording (13): IG endpoints reject a retired or unknown
	// metric in Instagram's words ("(#100) metric[N] must be one of the
	// following values: ..." or "Starting from version 22 and above, the X
	// metric is no longer supported ..."), not Facebook's "(#100) The value
	// must be a valid insights metric".
	InstagramMetricWording bool
	// ProductTypeWordings (14): a metric unsuited to a media product type
	// is rejected in either of Meta's two wordings ("... does not support
	// the X metric for this media product type." or "The 'X' metric is not
	// supported for this media product type."), by media.
	ProductTypeWordings bool
	// SummariesNeedUserContent (16): reactions and comments summaries on
	// Page posts need pages_read_user_content (code 10 without it).
	SummariesNeedUserContent bool
	// ReelsInsightsOnVideo (17): a Facebook Reel's post insights are
	// zero; its figures are on /{video-id}/video_insights
	// (blue_reels_play_count, fb_reels_total_plays, ...).
	ReelsInsightsOnVideo bool
}

// MetaQuirks returns every deterministic quirk on (rates stay zero: set
// PerformedThenErrorRate and MediaFetchFailRate as a test needs). Per-object
// behaviours are set by admin calls and faults: SetConverted (14),
// SetOversize (15), SetPolicyBlock (4), and the fault kinds
// FaultContainerStuck and FaultVideoFailed (3).
func MetaQuirks() Quirks {
	return Quirks{VerticalVideoAsReelDraft: true, OmitVideoPostID: true, StrictContainerFields: true,
		InstagramMetricWording: true, ProductTypeWordings: true, SummariesNeedUserContent: true, ReelsInsightsOnVideo: true}
}

// FaultOptions makes a fraction of calls fail. Rates are in [0,1].
type FaultOptions struct {
	// TransientRate: answer code 1 (HTTP 500), code 2 (HTTP 503) or a bare
	// HTTP 502, without performing the call.
	TransientRate float64
	// LostAnswerRate: perform the call, then close the connection without answering.
	LostAnswerRate float64
	// TimeoutRate: hang (until the client gives up or TimeoutDelay), without performing the call.
	TimeoutRate float64
	// BatchNullRate: a batch entry answers null without being performed.
	BatchNullRate float64
	// TimeoutDelay bounds a hang (default 30 s; ends when the client disconnects).
	TimeoutDelay time.Duration
	// Endpoints restricts random faults to these endpoint labels (empty: all).
	Endpoints []string
}

func (o Options) withDefaults() Options {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.IGReadyDelay, 5*time.Second)
	def(&o.IGVideoReadyDelay, 60*time.Second)
	def(&o.FBVideoReadyDelay, 60*time.Second)
	def(&o.ContainerTTL, 24*time.Hour)
	def(&o.ScheduleMin, 20*time.Minute)
	def(&o.ScheduleMax, 29*24*time.Hour)
	def(&o.UsageWindow, time.Hour)
	def(&o.InsightsDelay, 10*time.Minute)
	def(&o.DuplicateWindow, 24*time.Hour)
	def(&o.Faults.TimeoutDelay, 30*time.Second)
	if o.DailyPublishQuota <= 0 {
		o.DailyPublishQuota = 50
	}
	if o.ReportedQuotaTotal <= 0 {
		o.ReportedQuotaTotal = o.DailyPublishQuota
	}
	if o.IGHashtagCap <= 0 {
		o.IGHashtagCap = 30
	}
	if o.MaxPageLimit <= 0 {
		o.MaxPageLimit = 100
	}
	if o.DefaultPageLimit <= 0 {
		o.DefaultPageLimit = 25
	}
	if o.UsagePerCall <= 0 {
		o.UsagePerCall = 0.1
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}
