package graphsim

import "time"

type objKind int

const (
	kPage objKind = iota + 1
	kIG
	kPost
	kPhoto
	kVideo
	kContainer
	kMedia
	kComment // a Facebook or Instagram comment; owner is the Page or IG account
)

// object records what an id is and which Page or IG account owns it.
type object struct {
	kind  objKind
	owner string // page id or ig user id
}

// Token types, as debug_token reports them.
const (
	tokPage       = "PAGE"
	tokSystemUser = "SYSTEM_USER"
	tokUser       = "USER" // a person's token from Facebook Login
)

type token struct {
	value  string
	kind   string // tokPage, tokSystemUser or tokUser
	pageID string // the Page of a Page token
	pages  []string
	// userID is the person a user token (or a Page token derived from
	// one) belongs to; tasks are that person's tasks on the Page of a
	// derived Page token (nil: not limited, as for system users).
	userID    string
	tasks     []string
	longLived bool   // a user token from fb_exchange_token (60 days)
	appID     string // "" is the simulator's own app
	viaBM     bool   // a Business Manager role: a system user or a Page token derived from one
	perms     map[string]bool
	issuedAt  time.Time
	expiresAt time.Time // zero: never
}

// reaches reports whether the token may act on the Page.
func (t *token) reaches(pageID string) bool {
	if t.kind == tokPage {
		return t.pageID == pageID
	}
	for _, p := range t.pages {
		if p == pageID {
			return true
		}
	}
	return false
}

type page struct {
	id, name   string
	followers0 float64 // followers at registration
	since      time.Time
	igID       string
	posts      []*post // in creation order
	// blockCode/blockUntil: a policy block on publishing (368 or 4/2207051).
	blockCode  int
	blockUntil time.Time
	// oversize: /posts answers with more items than this (and insights)
	// fail with code 1 "Please reduce the amount of data" (0: never).
	oversize int
}

type igAccount struct {
	id, username string
	pageID       string
	followers0   float64
	since        time.Time
	media        []*media
	publishes    []time.Time // media_publish successes, for the quota
	// convertedAt: media posted before it have no insights (100/2108006).
	convertedAt time.Time
	blockCode   int
	blockUntil  time.Time
}

// FB post kinds (the simulator's content types).
const (
	fbText  = "text"
	fbLink  = "link"
	fbPhoto = "photo"
	fbAlbum = "album"
	fbVideo = "video"
)

type post struct {
	id, pageID    string
	message, link string
	kind          string
	created       time.Time // publish time (the scheduled time for scheduled posts)
	scheduled     bool
	photoIDs      []string
	videoID       string
	followers     float64 // account followers at publish
	unpublished   bool
	reel          bool // published through /{page}/video_reels (or seeded as a Reel)
}

type photo struct {
	id, pageID string
	url        string
	published  bool
	created    time.Time
	postID     string
}

type video struct {
	id, pageID         string
	title, description string
	created            time.Time // upload time: processing starts here
	postID             string
	// failed: processing ends in this video_status ("error" or "expired").
	failed string
	// Reels flow: reel is set by upload_phase=start; fileURL once uploaded;
	// finished once upload_phase=finish asked to publish (processing
	// starts then: created is reset).
	reel     bool
	fileURL  string
	finished bool
	draft    bool // a vertical video sent to /videos: an unpublished Reel draft
}

// mediaFile is what the simulator knows of a file at a URL (SetMediaFile).
type mediaFile struct {
	width, height int
	duration      time.Duration
}

// IG kinds (the simulator's content types).
const (
	igImage    = "image"
	igReel     = "reel"
	igCarousel = "carousel"
	igStory    = "story"
	igItem     = "item"
)

type container struct {
	id, igID  string
	kind      string
	imageURL  string
	videoURL  string
	caption   string
	children  []string
	created   time.Time
	readyAt   time.Time
	failed    bool
	failCode  int
	stuck     bool // never leaves IN_PROGRESS (until it expires)
	mediaID   string
	published time.Time
}

type media struct {
	id, igID    string
	caption     string
	kind        string // image, reel, carousel, story
	mediaType   string // IMAGE, VIDEO, CAROUSEL_ALBUM
	productType string // FEED, REELS, STORY
	created     time.Time
	children    []string
	followers   float64
	hideLikes   bool
}
