package api

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"
)

// MountOpenAPI serves the OpenAPI 3 document of the whole API at
// /api/openapi.json (no authentication: it describes, it holds no data).
func MountOpenAPI(e *gin.Engine) {
	body, err := json.MarshalIndent(OpenAPIDocument(), "", "  ")
	if err != nil {
		panic("api: openapi document: " + err.Error()) // a programming error in a literal
	}
	e.GET("/api/openapi.json", func(c *gin.Context) {
		c.Data(http.StatusOK, "application/json; charset=utf-8", body)
	})
}

type oaObj = map[string]any

func oaRef(name string) oaObj { return oaObj{"$ref": "#/components/schemas/" + name} }

func oaJSONBody(schema oaObj) oaObj {
	return oaObj{"required": true, "content": oaObj{"application/json": oaObj{"schema": schema}}}
}

func oaJSONResp(desc string, schema oaObj) oaObj {
	return oaObj{"description": desc, "content": oaObj{"application/json": oaObj{"schema": schema}}}
}

func oaReportResp(desc, schema string) oaObj {
	return oaObj{"description": desc, "content": oaObj{
		"application/json": oaObj{"schema": oaRef(schema)},
		"text/csv":         oaObj{"schema": oaObj{"type": "string"}},
	}}
}

var oaErrResp = oaJSONResp("error", oaRef("ErrorBody"))

// op is one operation; status→response pairs beyond the defaults go in
// resp.
func oaOp(summary, tag string, params []oaObj, body oaObj, resp oaObj) oaObj {
	o := oaObj{"summary": summary, "tags": []string{tag}, "responses": resp}
	if len(params) > 0 {
		o["parameters"] = params
	}
	if body != nil {
		o["requestBody"] = body
		// Every JSON body is read strictly (bindJSON) and bounded.
		for code, desc := range map[string]string{
			"400": "malformed JSON (with the byte offset), not one JSON object, trailing data after it, an unknown field (named) or a value of the wrong JSON type (field and type expected)",
			"408": "the body did not arrive within api.read_timeout",
			"413": "the body is larger than api.max_body_bytes (the limit is named, and in details.limit_bytes)",
			"415": "the body is not sent as Content-Type: application/json (UTF-8)",
		} {
			if _, ok := resp[code]; !ok || code == "400" {
				resp[code] = oaJSONResp(desc, oaRef("ErrorBody"))
			}
		}
	}
	return o
}

func oaAuthed(o oaObj) oaObj {
	o["security"] = []oaObj{{"bearer": []string{}}}
	r := o["responses"].(oaObj)
	r["401"] = oaErrResp
	r["429"] = oaObj{"description": "too many failed sign-ins (unknown or revoked tokens) from this address: wait Retry-After seconds",
		"headers": oaObj{"Retry-After": oaObj{"description": "seconds to wait", "schema": oaInt}},
		"content": oaObj{"application/json": oaObj{"schema": oaRef("ErrorBody")}}}
	return o
}

func oaPathParam(name, desc string) oaObj {
	return oaObj{"name": name, "in": "path", "required": true, "description": desc, "schema": oaObj{"type": "string"}}
}

func oaQueryParam(name, desc string, schema oaObj) oaObj {
	return oaObj{"name": name, "in": "query", "description": desc, "schema": schema}
}

func oaEnum(vals ...string) oaObj { return oaObj{"type": "string", "enum": vals} }

var (
	oaStr  = oaObj{"type": "string"}
	oaInt  = oaObj{"type": "integer"}
	oaAny  = oaObj{"type": "object", "additionalProperties": true}
	oaDate = oaObj{"type": "string", "format": "date"}
	// oaRefStr is a unit given by id or slug, as a string.
	oaRefStr = oaObj{"type": "string", "description": "a unit's id or slug, as a string"}
)

func oaReportParams(extra ...oaObj) []oaObj {
	ps := []oaObj{
		oaQueryParam("from", "first day (YYYY-MM-DD, in the unit's time zone; default: 30 days ending today, best-times 12 weeks); from 2004-01-01 to 2099-12-31, else 400 naming it", oaDate),
		oaQueryParam("to", "last day, inclusive (YYYY-MM-DD); at most two years after from; from 2004-01-01 to 2099-12-31, else 400 naming it", oaDate),
		oaQueryParam("method", "engagement rate denominator", oaEnum("reach", "views", "followers")),
		oaQueryParam("age", "snapshot used per post: latest, or the one nearest a fixed age", oaEnum("latest", "24h", "7d", "28d")),
		oaQueryParam("platform", "only this platform", oaEnum("facebook", "instagram")),
		oaQueryParam("unit", "only this unit and its sub-units (id). A caller sees their own unit and the units below it (an admin every unit): another unit is 403 naming it; without unit the report covers the caller's unit and its sub-units. Compare units with group_by=unit over a unit above them.", oaInt),
		oaQueryParam("channel", "only this channel (id); a channel of a unit the caller cannot see is 403", oaInt),
		oaQueryParam("content_type", "only this content type (photo, video, interactive, text, link)", oaStr),
		oaQueryParam("campaign", "only this campaign", oaStr),
		oaQueryParam("format", "csv answers text/csv (as does Accept: text/csv)", oaEnum("json", "csv")),
		oaQueryParam("lang", "CSV language: en, or id for Bahasa Indonesia (Indonesian headers, ';' between fields, decimal commas, a UTF-8 BOM)", oaEnum("en", "id")),
	}
	return append(ps, extra...)
}

func oaReport(summary, schema string, extra ...oaObj) oaObj {
	return oaAuthed(oaOp(summary, "reports", oaReportParams(extra...), nil,
		oaObj{"200": oaReportResp(summary, schema), "400": oaErrResp, "403": oaErrResp}))
}

// OpenAPIDocument is the OpenAPI 3 description of every route humas
// serves: probes, the reports, and the calendar, channel and collection
// API.
func OpenAPIDocument() map[string]any {
	id := oaPathParam("id", "numeric id")
	crud := func(summary string, status string, body oaObj, params ...oaObj) oaObj {
		return oaAuthed(oaOp(summary, "calendar", params, body, oaObj{status: oaJSONResp("ok", oaAny), "400": oaErrResp, "403": oaErrResp,
			"404": oaErrResp, "409": oaErrResp, "422": oaErrResp}))
	}
	postAction := func(what string) oaObj {
		return crud(what+" the post", "200", oaObj{"required": false, "content": oaObj{"application/json": oaObj{"schema": oaObj{
			"type": "object", "additionalProperties": false, "properties": oaObj{"reason": oaObj{"type": "string", "maxLength": 1000}}}}}}, id)
	}
	// review: approve, reject and classify name the version reviewed;
	// without version and content_hash the answer is 422 (field version),
	// with another version 409 version_mismatch.
	review := func(what string, props oaObj, required ...string) oaObj {
		p := oaObj{"version": oaObj{"type": "integer", "minimum": 1, "description": "the version reviewed (GET /posts/{id} .version)"},
			"content_hash": oaObj{"type": "string", "description": "the content hash reviewed (GET /posts/{id} .content_hash); version, content_hash or both are required"},
			"reason":       oaObj{"type": "string", "maxLength": 1000}}
		for k, v := range props {
			p[k] = v
		}
		o := crud(what, "200", oaJSONBody(oaObj{"type": "object", "additionalProperties": false, "properties": p, "required": required,
			"description": "Name the version you reviewed: version, content_hash or both. Missing: 422 (field version). Another version is current: 409 version_mismatch with error.details.current_version, .content_hash and .post."}), id)
		o["responses"].(oaObj)["200"] = oaJSONResp("the post", oaRef("Post"))
		o["responses"].(oaObj)["409"] = oaJSONResp("the post changed (version_mismatch), is in another state (wrong_state) or waits for the PPID (classification_unconfirmed)", oaRef("ErrorBody"))
		return o
	}
	classification := oaObj{"type": "object", "additionalProperties": false, "required": []string{"level"}, "properties": oaObj{
		"level":       oaEnum("public", "exempt"),
		"category":    oaObj{"type": "string", "enum": []string{"berkala", "serta_merta", "setiap_saat"}, "description": "public information's category under the information-service standard (required when a PPID officer classifies)"},
		"legal_basis": oaObj{"type": "string", "maxLength": 500, "description": "exempt information: the article of the law, e.g. UU 14/2008 pasal 17 huruf a (required)"},
		"reason":      oaObj{"type": "string", "maxLength": 2000, "description": "exempt information: the consequence test, what harm disclosure would cause (required)"}}}
	postBody := func(required ...string) oaObj {
		return oaJSONBody(oaObj{"type": "object", "additionalProperties": false, "required": required, "properties": oaObj{
			"caption": oaObj{"type": "string", "description": "at most 63 206 characters on Facebook, 2 200 (30 hashtags, 20 mentions) on Instagram"}, "link": oaObj{"type": "string", "maxLength": 2048},
			"captions": oaObj{"type": "object", "additionalProperties": false, "description": "a caption per network replacing caption there (empty: caption is used); part of the content version",
				"properties": oaObj{"facebook": oaStr, "instagram": oaStr}},
			"media": oaObj{"type": "array", "items": oaObj{"type": "object", "additionalProperties": false,
				"description": "an item of the media library (media_id: checked against each target's rules; Facebook gets its bytes, Instagram fetches it from humas's signed public URL), or a public URL given as is",
				"properties": oaObj{"type": oaEnum("image", "video"), "url": oaObj{"type": "string", "maxLength": 2048}, "media_id": oaInt,
					"width": oaInt, "height": oaInt, "duration_seconds": oaObj{"type": "number"}}}},
			"content_type":     oaEnum("photo", "video", "interactive", "text", "link"),
			"classification":   classification,
			"channels":         oaObj{"type": "array", "items": oaInt},
			"scheduled_at":     oaObj{"type": "string", "format": "date-time", "description": "from one year back to two years ahead"},
			"recurrence":       oaObj{"type": "string", "maxLength": 100, "description": "cron spec with seconds or a descriptor, in the unit's time zone; at most daily (hourly where the unit allows it)"},
			"recurrence_count": oaObj{"type": "integer", "minimum": 1, "maximum": 366, "description": "occurrences of the series in all (default 366)"},
			"campaign":         oaObj{"type": "string", "maxLength": 100},
			"tags":             oaObj{"type": "array", "maxItems": 30, "items": oaObj{"type": "string", "maxLength": 50}},
			"unit":             oaRefStr,
			"submit":           oaObj{"type": "boolean"},
			"version":          oaObj{"type": "integer", "description": "PATCH: the version the edit was made on; another current version is 409 version_mismatch instead of an overwrite"}}})
	}
	mediaOp := func(summary, status string, body oaObj, params ...oaObj) oaObj {
		o := oaAuthed(oaOp(summary, "media", params, body, oaObj{status: oaJSONResp("ok", oaRef("Media")), "400": oaErrResp, "403": oaErrResp,
			"404": oaErrResp, "409": oaErrResp, "413": oaErrResp, "415": oaErrResp, "422": oaErrResp}))
		if status == "204" {
			o["responses"].(oaObj)["204"] = oaObj{"description": "deleted"}
		}
		return o
	}
	mediaUpload := func() oaObj {
		o := mediaOp("upload a file (multipart/form-data, field file, streamed; ?unit= names the unit) or have humas download a public URL (JSON {\"url\"}: http or https, public addresses only, redirects checked again, at most media.max_upload_bytes). The type is read from the bytes, never the name. Images become Instagram-ready JPEGs (EXIF orientation applied, metadata with any GPS position removed, at most 1440 px wide and 8 MB); videos (MP4/MOV) are read for size, duration, codecs and frame rate. 415: not an image or video; 413: over the limit; 422: unreadable or a URL not fetched.", "201",
			oaObj{"required": true, "content": oaObj{
				"multipart/form-data": oaObj{"schema": oaObj{"type": "object", "properties": oaObj{"file": oaObj{"type": "string", "format": "binary"}}}},
				"application/json":    oaObj{"schema": oaObj{"type": "object", "additionalProperties": false, "required": []string{"url"}, "properties": oaObj{"url": oaStr, "unit": oaRefStr}}},
			}}, oaQueryParam("unit", "multipart: the unit (id or slug; default the caller's)", oaStr))
		return o
	}
	mediaChunk := func() oaObj {
		o := mediaOp("send a chunk (the raw body) starting at Upload-Offset (or Content-Range: bytes first-last/total); a chunk cut off keeps what arrived (GET tells the offset); the last byte stores the file (201 with media)", "200",
			oaObj{"required": true, "content": oaObj{"application/octet-stream": oaObj{"schema": oaObj{"type": "string", "format": "binary"}}}},
			oaPathParam("upload", "upload id"),
			oaObj{"name": "Upload-Offset", "in": "header", "description": "byte offset of the chunk (409 wrong_offset with details.expected_offset when it is not where the upload stands)", "schema": oaInt})
		o["responses"].(oaObj)["201"] = oaJSONResp("upload finished: the stored media", oaAny)
		return o
	}
	unitSettings := oaObj{"requires_approval": oaObj{"type": "boolean"},
		"classification_by":       oaObj{"type": "string", "enum": []string{"editor", "ppid"}, "description": "ppid: a PPID officer of the unit or above confirms each post's classification before approval"},
		"allow_hourly_recurrence": oaObj{"type": "boolean", "description": "posts may recur hourly (default: at most daily)"}}
	unitCreate := oaObj{"name": oaObj{"type": "string", "maxLength": 200}, "parent": oaRefStr, "slug": oaObj{"type": "string", "maxLength": 64}, "level": oaStr, "timezone": oaStr}
	for k, v := range unitSettings {
		unitCreate[k] = v
	}
	unitCreate["require_2fa"] = oaObj{"type": "boolean", "description": "admins, approvers and PPID officers of the unit and the units below it must use two-step verification (needs HUMAS_SECRET_KEY)"}
	unitPatch := oaObj{"name": oaObj{"type": "string", "maxLength": 200}, "timezone": oaStr,
		"parent":      oaObj{"type": "string", "description": "slug or id of the new parent (a unit of the caller's tree, never the unit itself or one below it): moves the unit"},
		"require_2fa": unitCreate["require_2fa"]}
	for k, v := range unitSettings {
		unitPatch[k] = v
	}
	roles := oaEnum("admin", "approver", "editor", "viewer", "ppid")
	userName := oaPathParam("name", "user name")
	paths := oaObj{
		"/healthz": oaObj{"get": oaOp("liveness: the process is up", "probes", nil, nil, oaObj{"200": oaJSONResp("alive", oaAny)})},
		"/readyz": oaObj{"get": oaOp("readiness: ClickHouse and SQLite answer", "probes", nil, nil,
			oaObj{"200": oaJSONResp("ready", oaAny), "503": oaJSONResp("not ready: reason names each check down with a stable code "+
				"(\"clickhouse: unavailable\", \"sqlite: timeout\"); the cause is in the server log, never in the answer", oaAny)})},
		"/metrics": oaObj{"get": oaOp("Prometheus metrics", "probes", nil, nil,
			oaObj{"200": oaObj{"description": "text exposition format", "content": oaObj{"text/plain": oaObj{"schema": oaStr}}}})},
		"/api/openapi.json": oaObj{"get": oaOp("this document", "probes", nil, nil, oaObj{"200": oaJSONResp("OpenAPI 3 document", oaAny)})},

		"/api/v1/engagement": oaObj{"get": oaReport("engagement rates grouped by content type, platform, unit, channel, campaign, week or month",
			"EngagementReport", oaQueryParam("group_by", "comma-separated keys (default content_type)", oaObj{"type": "string",
				"example": "content_type,platform", "pattern": "^(content_type|platform|unit|channel|campaign|week|month)(,(content_type|platform|unit|channel|campaign|week|month))*$"}))},
		"/api/v1/engagement/posts": oaObj{"get": oaReport("top or bottom posts with permalink, caption excerpt and figures", "PostsReport",
			oaQueryParam("sort", "sort key", oaEnum("engagement_rate", "reach", "interactions")),
			oaQueryParam("order", "sort order", oaEnum("desc", "asc")),
			oaQueryParam("limit", "at most this many posts (1-1000, default 20)", oaInt))},
		"/api/v1/engagement/best-times": oaObj{"get": oaReport("weekday × hour grid of median engagement rate (local time)", "BestTimesReport")},
		"/api/v1/engagement/hashtags": oaObj{"get": oaReport("figures per hashtag", "HashtagsReport",
			oaQueryParam("limit", "at most this many hashtags (1-1000, default 20)", oaInt))},
		"/api/v1/engagement/campaigns": oaObj{"get": oaReport("figures per campaign", "EngagementReport")},
		"/api/v1/followers":            oaObj{"get": oaReport("follower counts and growth per channel per day", "FollowersReport")},

		"/api/v1/units": oaObj{
			"get":  crud("list units", "200", nil),
			"post": crud("create a unit (admin)", "201", oaJSONBody(oaObj{"type": "object", "additionalProperties": false, "required": []string{"name"}, "properties": unitCreate})),
		},
		"/api/v1/units/{id}": oaObj{
			"patch": crud("change a unit's name and settings (admin): who classifies, approval, hourly recurrence", "200",
				oaJSONBody(oaObj{"type": "object", "additionalProperties": false, "properties": unitPatch}), id),
		},
		"/api/v1/channels": oaObj{
			"get": crud("list the channels of the caller's unit and its sub-units (an admin: all) with token health", "200", nil),
			"post": crud("connect a channel (admin); the token is checked with Meta (debug_token: valid, this app, this Page, the permissions each function needs; a system-user token gives the Page token stored) and stored encrypted, never returned; 422 names what is wrong", "201", oaJSONBody(oaObj{"type": "object",
				"additionalProperties": false, "required": []string{"platform", "external_id", "name", "unit", "access_token"}, "properties": oaObj{
					"platform": oaEnum("facebook", "instagram"), "external_id": oaStr, "name": oaStr, "unit": oaRefStr, "access_token": oaStr, "status": oaStr}})),
		},
		"/api/v1/channels/{id}": oaObj{
			"get": crud("a channel with its token health (403 for another unit's channel)", "200", nil, id),
			"patch": crud("change a channel (admin)", "200", oaJSONBody(oaObj{"type": "object", "additionalProperties": false, "properties": oaObj{
				"name": oaObj{"type": "string", "maxLength": 200}, "unit": oaRefStr, "access_token": oaStr, "status": oaStr}}), id),
			"delete": crud("remove a channel (admin)", "204", nil, id),
		},
		"/api/v1/users": oaObj{
			"get": crud("list the users of the caller's unit and the units below it (admin)", "200", nil),
			"post": crud("invite a user into the caller's tree (admin): answers a one-time setup link (setup_link, shown once, good for auth.setup_link_ttl) "+
				"with which the user sets a password; emailed is true when it was also sent by e-mail", "201",
				oaJSONBody(oaObj{"type": "object", "additionalProperties": false, "required": []string{"name", "unit", "role"},
					"properties": oaObj{"name": oaStr, "email": oaObj{"type": "string", "format": "email"}, "unit": oaRefStr, "role": roles}})),
		},
		"/api/v1/users/{name}": oaObj{
			"patch": crud("give a user another role, unit or e-mail (admin, within the caller's tree); the last active admin keeps the admin role (409 last_admin)", "200",
				oaJSONBody(oaObj{"type": "object", "additionalProperties": false, "properties": oaObj{"role": roles, "unit": oaRefStr,
					"email": oaObj{"type": "string", "description": "empty removes it"}}}), userName),
			"delete": crud("disable a user (admin): web sessions end and API tokens are revoked; the last active admin cannot be disabled (409 last_admin)", "204", nil, userName),
		},
		"/api/v1/users/{name}/setup-link": oaObj{"post": crud("a new one-time setup link for the user (admin): a password reset, or a new invitation; older links stop working, the current password works until the link is used", "201", nil, userName)},
		"/api/v1/users/{name}/totp":       oaObj{"delete": crud("turn the user's two-step verification off (admin; a lost phone): recovery codes are dropped", "204", nil, userName)},
		"/api/v1/users/{name}/tokens":     oaObj{"get": crud("the user's API tokens (admin): name, prefix, expiry, last use, never the token", "200", nil, userName)},
		"/api/v1/users/{name}/tokens/{id}": oaObj{"delete": crud("revoke one of the user's API tokens (admin)", "204", nil, userName,
			oaPathParam("id", "token id"))},
		"/api/v1/audit": oaObj{"get": crud("audit lines about the caller's unit and the units below it, newest first (admin); the web page /admin/audit downloads them as CSV", "200", nil,
			oaQueryParam("actor", "actor name", oaStr), oaQueryParam("entity", "post, delivery, channel, unit or user", oaStr),
			oaQueryParam("entity_id", "the entity's id", oaInt), oaQueryParam("unit", "only lines about this unit's things", oaInt),
			oaQueryParam("action", "e.g. approve, create, password_change", oaStr), oaQueryParam("from", "RFC 3339 or date (UTC)", oaStr),
			oaQueryParam("to", "RFC 3339 or date (UTC), exclusive", oaStr), oaQueryParam("before_id", "paging: lines older than this id", oaInt),
			oaQueryParam("limit", "1-1000, default 200", oaInt))},
		"/api/v1/me": oaObj{"get": crud("the caller's account (name, unit, role, e-mail, whether a password and two-step verification are set)", "200", nil)},
		"/api/v1/me/tokens": oaObj{"get": crud("the caller's API tokens", "200", nil),
			"post": crud("make an API token for the caller (answered once; acts with the caller's role)", "201",
				oaJSONBody(oaObj{"type": "object", "additionalProperties": false, "required": []string{"name", "expires_in_days"},
					"properties": oaObj{"name": oaObj{"type": "string", "maxLength": 64}, "expires_in_days": oaObj{"type": "integer", "minimum": 1, "maximum": 366}}}))},
		"/api/v1/me/tokens/{id}": oaObj{"delete": crud("revoke one of the caller's API tokens", "204", nil, oaPathParam("id", "token id"))},
		"/api/v1/posts": oaObj{
			"get": crud("list posts", "200", nil,
				oaQueryParam("state", "draft, submitted, approved, scheduled, publishing, published, failed, canceled, rejected", oaStr),
				oaQueryParam("unit", "unit id", oaInt), oaQueryParam("channel", "channel id", oaInt),
				oaQueryParam("from", "scheduled from (RFC 3339 or date)", oaStr), oaQueryParam("to", "scheduled until", oaStr)),
			"post": crud("create a post with its deliveries (version 1; its writer is its author set)", "201",
				postBody("caption", "content_type", "classification", "channels", "scheduled_at")),
		},
		"/api/v1/posts/{id}": oaObj{
			"get": crud("a post with its deliveries, version, content hash and author set", "200", nil, id),
			"patch": crud("edit a post: a new version with the editor in its author set (an approved post returns to submitted); send version to refuse an edit of an older version (409)", "200",
				postBody(), id),
		},
		"/api/v1/posts/{id}/submit":  oaObj{"post": postAction("submit")},
		"/api/v1/posts/{id}/approve": oaObj{"post": review("approve the version reviewed (an approver of the post's unit or above who did not change this version's content)", nil)},
		"/api/v1/posts/{id}/reject":  oaObj{"post": review("reject the version reviewed, with a reason", nil, "reason")},
		"/api/v1/posts/{id}/classify": oaObj{"post": review("set or confirm the classification of the version reviewed (a PPID officer of the post's unit or above)",
			oaObj{"classification": classification}, "classification")},
		"/api/v1/posts/{id}/cancel": oaObj{"post": postAction("cancel")},
		"/api/v1/posts/{id}/audit":  oaObj{"get": crud("the post's audit trail", "200", nil, id)},
		"/api/v1/media": oaObj{
			"get": mediaOp("list the media library of the caller's unit and the units below it (an admin: all), newest first, with each file's problems per platform and the posts that use it", "200", nil,
				oaQueryParam("unit", "only this unit (id or slug)", oaStr), oaQueryParam("kind", "image or video", oaEnum("image", "video")),
				oaQueryParam("limit", "1 to 500 (default 100)", oaInt), oaQueryParam("before", "only media with a smaller id (paging)", oaInt)),
			"post": mediaUpload(),
		},
		"/api/v1/media/{id}": oaObj{
			"get":    mediaOp("one media item with its problems per platform and the posts that use it", "200", nil, id),
			"delete": mediaOp("delete a media item; one a post not yet published uses is 409 media_in_use naming the posts (details.posts)", "204", nil, id),
		},
		"/api/v1/media/{id}/crop": oaObj{"post": mediaOp("cut the largest centred region of an image with this aspect ratio into a new media item", "201",
			oaJSONBody(oaObj{"type": "object", "additionalProperties": false, "required": []string{"ratio"}, "properties": oaObj{"ratio": oaEnum("1:1", "4:5", "1.91:1", "9:16", "16:9")}}), id)},
		"/api/v1/media/uploads": oaObj{"post": mediaOp("start a resumable upload (for large videos): then PUT the bytes in chunks to upload_url", "201",
			oaJSONBody(oaObj{"type": "object", "additionalProperties": false, "required": []string{"filename", "size_bytes"}, "properties": oaObj{
				"filename": oaStr, "size_bytes": oaObj{"type": "integer", "minimum": 1, "description": "at most media.max_upload_bytes (413 naming it)"}, "unit": oaRefStr}}))},
		"/api/v1/media/uploads/{upload}": oaObj{
			"get": mediaOp("how far an upload got (offset): resume from there", "200", nil, oaPathParam("upload", "upload id")),
			"put": mediaChunk(),
		},
		"/api/v1/collect": oaObj{"post": oaAuthed(oaOp("start a collection run (admin)", "collector", nil,
			oaObj{"required": false, "content": oaObj{"application/json": oaObj{"schema": oaObj{"type": "object", "additionalProperties": false,
				"properties": oaObj{"channel_id": oaInt, "since": oaDate}}}}},
			oaObj{"202": oaJSONResp("the run id", oaAny), "403": oaErrResp, "409": oaErrResp}))},
		"/api/v1/collect/{id}": oaObj{"get": oaAuthed(oaOp("a collection run's progress", "collector", []oaObj{oaPathParam("id", "run id")}, nil,
			oaObj{"200": oaJSONResp("progress", oaAny), "404": oaErrResp}))},
		"/api/v1/platform-posts/{platform}/{id}": oaObj{"patch": oaAuthed(oaOp("correct a platform post's content type (applies to past reports); an editor or above of the post's unit or a unit above it",
			"collector", []oaObj{oaPathParam("platform", "facebook or instagram"), oaPathParam("id", "the platform's post id")},
			oaJSONBody(oaObj{"type": "object", "additionalProperties": false, "required": []string{"content_type"}, "properties": oaObj{"content_type": oaEnum("photo", "video", "interactive", "text", "link")}}),
			oaObj{"200": oaJSONResp("the post", oaAny), "400": oaErrResp, "403": oaErrResp, "404": oaErrResp, "422": oaErrResp}))},
	}
	for k, v := range inboxPaths() {
		paths[k] = v
	}
	return oaObj{
		"openapi": "3.0.3",
		"info": oaObj{"title": "humas API", "version": "1",
			"description": "Content calendar, publishing and engagement reports for humas offices. Authenticate with \"Authorization: Bearer <token>\" (humas user add prints one). Reports state their definition in English and Bahasa Indonesia; rates are fractions (0.0123 = 1.23%)."},
		"paths": paths,
		"components": oaObj{
			"securitySchemes": oaObj{"bearer": oaObj{"type": "http", "scheme": "bearer"}},
			"schemas":         oaSchemas(),
		},
	}
}

func oaSchemas() oaObj {
	num := oaObj{"type": "number", "nullable": true}
	u := oaObj{"type": "integer", "minimum": 0}
	figures := oaObj{"type": "object", "properties": oaObj{
		"posts": u, "rated_posts": u, "reach": u, "views": u, "interactions": u, "reactions": u, "likes": u, "comments": u,
		"shares": u, "saves": u, "clicks": u, "video_views": u,
		"engagement_rate":          oaObj{"type": "number", "nullable": true, "description": "a fraction: 0.0123 is 1.23%"},
		"avg_post_engagement_rate": oaObj{"type": "number", "nullable": true, "description": "mean of per-post rates over posts with a non-zero denominator"},
	}}
	definition := oaObj{"type": "object", "properties": oaObj{"en": oaStr, "id": oaStr}}
	row := oaObj{"allOf": []oaObj{oaRef("Figures"), {"type": "object", "properties": oaObj{
		"content_type": oaStr, "platform": oaStr, "unit": oaInt, "unit_name": oaStr, "channel": oaInt, "channel_name": oaStr,
		"campaign": oaStr, "week": oaDate, "month": oaObj{"type": "string", "example": "2025-03"}}}}}
	head := func(extra oaObj) oaObj {
		p := oaObj{"method": oaStr, "age": oaStr, "from": oaDate, "to": oaDate, "timezone": oaStr, "definition": oaRef("Definition")}
		for k, v := range extra {
			p[k] = v
		}
		return oaObj{"type": "object", "properties": p}
	}
	return oaObj{
		"Media": oaObj{"type": "object", "description": "a media item (or, for lists, {\"media\": [...]}; for uploads {\"upload\", \"upload_url\", \"media\"})",
			"properties": oaObj{"id": oaInt, "unit_id": oaInt, "uploaded_by": oaInt, "kind": oaEnum("image", "video"), "mime": oaStr, "filename": oaStr,
				"size_bytes": oaInt, "sha256": oaStr, "width": oaInt, "height": oaInt, "duration_seconds": oaObj{"type": "number"}, "frame_rate": oaObj{"type": "number"},
				"container": oaStr, "video_codec": oaStr, "audio_codec": oaStr, "fast_start": oaObj{"type": "boolean"}, "source_url": oaStr,
				"derived_from": oaInt, "crop": oaStr, "notes": oaObj{"type": "array", "items": oaStr, "description": "what the upload changed: converted_jpeg, orientation, scaled, metadata_removed, location_removed, recompressed, flattened, gif_first_frame, cropped"},
				"original": oaAny, "created_at": oaStr, "deleted_at": oaStr, "has_thumbnail": oaObj{"type": "boolean"},
				"problems": oaObj{"type": "array", "items": oaObj{"type": "object", "properties": oaObj{"platform": oaStr, "use": oaStr, "field": oaStr,
					"severity": oaEnum("error", "warning"), "code": oaStr, "message": oaStr, "message_id": oaStr}}},
				"used_by": oaObj{"type": "array", "items": oaObj{"type": "object", "properties": oaObj{"post_id": oaInt, "unit_id": oaInt, "state": oaStr, "scheduled_at": oaStr, "published_at": oaStr}}}}},
		"ErrorBody": oaObj{"type": "object", "properties": oaObj{"error": oaObj{"type": "object", "properties": oaObj{
			"code": oaStr, "message": oaStr, "message_id": oaStr,
			"fields":  oaObj{"type": "array", "items": oaObj{"type": "object", "properties": oaObj{"field": oaStr, "message": oaStr, "message_id": oaStr}}},
			"details": oaObj{"type": "object", "additionalProperties": true, "description": "safe facts, e.g. limit_bytes or retry_after_seconds; for version_mismatch current_version, content_hash and post"},
		}}}},
		"Definition": definition,
		"Post": oaObj{"type": "object", "properties": oaObj{
			"id": oaInt, "unit_id": oaInt, "author_id": oaInt, "state": oaStr,
			"version":          oaObj{"type": "integer", "description": "content version: one more with each content change"},
			"content_hash":     oaObj{"type": "string", "description": "sha256 of the canonical content of this version"},
			"authors":          oaObj{"type": "array", "items": oaInt, "description": "who changed the content since the last approval; none of them may approve"},
			"caption":          oaStr,
			"classification":   oaObj{"type": "object", "properties": oaObj{"level": oaStr, "category": oaStr, "legal_basis": oaStr, "reason": oaStr, "status": oaEnum("proposed", "confirmed"), "classified_by": oaInt, "classified_at": oaObj{"type": "string", "format": "date-time"}}},
			"approved_by":      oaInt,
			"approved_at":      oaObj{"type": "string", "format": "date-time"},
			"approved_version": oaObj{"type": "integer", "description": "the version the approver reviewed and approved"},
			"approved_hash":    oaStr,
			"scheduled_at":     oaObj{"type": "string", "format": "date-time"},
			"recurrence":       oaStr, "recurrence_count": oaInt,
			"deliveries": oaObj{"type": "array", "items": oaAny}}},
		"Figures": figures,
		"EngagementReport": head(oaObj{
			"group_by": oaObj{"type": "array", "items": oaStr},
			"rows":     oaObj{"type": "array", "items": row},
			"totals":   oaRef("Figures"),
			"previous": oaObj{"type": "object", "properties": oaObj{"from": oaDate, "to": oaDate, "totals": oaRef("Figures"),
				"change": oaObj{"type": "object", "properties": oaObj{"posts": num, "reach": num, "views": num, "interactions": num,
					"engagement_rate": num, "engagement_rate_relative": num}}}},
		}),
		"PostsReport": head(oaObj{"sort": oaStr, "order": oaStr, "posts": oaObj{"type": "array", "items": oaObj{"type": "object", "properties": oaObj{
			"platform": oaStr, "post_id": oaStr, "published_at": oaObj{"type": "string", "format": "date-time"}, "content_type": oaStr,
			"channel": oaInt, "channel_name": oaStr, "unit": oaInt, "campaign": oaStr, "permalink": oaStr, "caption_excerpt": oaStr,
			"thumbnail_url": oaStr, "humas_post_id": oaInt, "reach": u, "views": u, "interactions": u, "denominator": u, "engagement_rate": num}}}}),
		"BestTimesReport": head(oaObj{"min_posts_per_cell": oaInt, "description": oaRef("Definition"), "cells": oaObj{"type": "array",
			"items": oaObj{"type": "object", "properties": oaObj{"weekday": oaObj{"type": "integer", "minimum": 1, "maximum": 7},
				"hour": oaObj{"type": "integer", "minimum": 0, "maximum": 23}, "posts": oaInt, "rated_posts": oaInt,
				"median_engagement_rate": num, "too_few": oaObj{"type": "boolean"}}}}}),
		"HashtagsReport": head(oaObj{"rows": oaObj{"type": "array", "items": oaObj{"allOf": []oaObj{oaRef("Figures"),
			{"type": "object", "properties": oaObj{"hashtag": oaStr}}}}}}),
		"FollowersReport": oaObj{"type": "object", "properties": oaObj{"from": oaDate, "to": oaDate, "timezone": oaStr, "definition": oaRef("Definition"),
			"channels": oaObj{"type": "array", "items": oaObj{"type": "object", "properties": oaObj{
				"channel": oaInt, "channel_name": oaStr, "platform": oaStr, "unit": oaInt, "start": u, "end": u,
				"growth": oaInt, "growth_rate": num,
				"days": oaObj{"type": "array", "items": oaObj{"type": "object", "properties": oaObj{"day": oaDate, "followers": u, "growth": oaInt}}}}}}}},
	}
}

var oaGinParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// OpenAPIPath turns a Gin route pattern into OpenAPI form (/posts/:id →
// /posts/{id}).
func OpenAPIPath(ginPath string) string { return oaGinParam.ReplaceAllString(ginPath, "{$1}") }

// DocumentedRoutes lists "METHOD /path" (OpenAPI form) for every operation
// in doc.
func DocumentedRoutes(doc map[string]any) []string {
	var out []string
	for p, item := range doc["paths"].(oaObj) {
		for m := range item.(oaObj) {
			out = append(out, strings.ToUpper(m)+" "+p)
		}
	}
	sort.Strings(out)
	return out
}

// CompareRoutes checks the document against routes registered on an
// engine (e.Routes()): undocumented are registered but missing from the
// document, unserved are documented but not registered. Routes whose path
// does not start with one of prefixes are ignored (pass "/" for all; the
// web pages are not part of the API: use "/api", "/healthz", "/readyz",
// "/metrics").
func CompareRoutes(doc map[string]any, routes []gin.RouteInfo, prefixes ...string) (undocumented, unserved []string) {
	in := func(p string) bool {
		for _, pre := range prefixes {
			if strings.HasPrefix(p, pre) {
				return true
			}
		}
		return len(prefixes) == 0
	}
	served := map[string]bool{}
	for _, r := range routes {
		p := OpenAPIPath(r.Path)
		if r.Method == http.MethodHead || !in(p) {
			continue
		}
		served[r.Method+" "+p] = true
	}
	documented := map[string]bool{}
	for _, k := range DocumentedRoutes(doc) {
		_, p, _ := strings.Cut(k, " ")
		if in(p) {
			documented[k] = true
		}
	}
	for k := range served {
		if !documented[k] {
			undocumented = append(undocumented, k)
		}
	}
	for k := range documented {
		if !served[k] {
			unserved = append(unserved, k)
		}
	}
	sort.Strings(undocumented)
	sort.Strings(unserved)
	return undocumented, unserved
}

// APIRoutePrefixes are the paths the OpenAPI document covers.
var APIRoutePrefixes = []string{"/api/", "/healthz", "/readyz", "/metrics"}
