package scheduler

// Action keys stored with a failed delivery, and what they tell staff.
const (
	ActionReconnect   = "reconnect_channel"
	ActionPermission  = "grant_permission"
	ActionFixContent  = "fix_content"
	ActionChangeText  = "change_content"
	ActionWaitLimit   = "wait_for_limit"
	ActionRetryLater  = "retry_later"
	ActionNeverPublic = "exempt_content"
	ActionCheckMedia  = "check_media"
	ActionContact     = "contact_support"
	// ActionPolicyBlock: Meta restricts the account's activity (spam
	// protection, code 4 / 2207051); ActionPostingBlocked: Meta blocked the
	// channel for posting too fast (code 368). Neither is retried.
	ActionPolicyBlock    = "policy_block"
	ActionPostingBlocked = "posting_blocked"
	// ActionHeldLimit: held by Instagram's publishing limit; sent by
	// itself once the limit resets.
	ActionHeldLimit = "held_for_limit"
)

var actions = map[string][2]string{
	ActionReconnect: {"Hubungkan ulang kanal: admin unit membuka Administrasi → Kanal dan memilih \"Hubungkan dengan Facebook\" (atau menempel token system user baru), lalu jadwalkan ulang unggahan ini.",
		"Reconnect the channel: the unit's admin opens Administration → Channels and chooses \"Connect with Facebook\" (or pastes a new system-user token), then schedule this post again."},
	ActionPermission: {"Izin kurang: admin unit memilih \"Hubungkan dengan Facebook\" di Administrasi → Kanal dan menyetujui semua izin yang diminta, lalu jadwalkan ulang unggahan ini.",
		"Missing permission: the unit's admin chooses \"Connect with Facebook\" in Administration → Channels and grants every permission asked for, then schedule this post again."},
	ActionFixContent: {"Perbaiki isi kiriman (mis. persingkat keterangan, kurangi tagar, periksa URL media), lalu buat ulang kiriman.",
		"Fix the post (e.g. shorten the caption, use fewer hashtags, check the media URLs), then create it again."},
	ActionChangeText: {"Konten yang sama sudah tayang; ubah teksnya sebelum mengirim ulang.",
		"The same content is already live; change the text before sending it again."},
	ActionWaitLimit: {"Batas harian platform tercapai; tunggu hingga batas direset lalu jadwalkan ulang.",
		"The platform's daily limit is reached; wait until it resets, then schedule the post again."},
	ActionRetryLater: {"Platform sedang bermasalah; jadwalkan ulang kiriman beberapa saat lagi.",
		"The platform is having trouble; schedule the post again a little later."},
	ActionNeverPublic: {"Informasi yang dikecualikan tidak dipublikasikan.", "Exempt content is never published."},
	ActionCheckMedia: {"Media tidak dapat diproses platform; periksa format (JPEG untuk gambar Instagram) dan URL-nya.",
		"The platform could not process the media; check its format (JPEG for Instagram images) and URL."},
	ActionContact: {"Galat tidak dikenal dari platform; hubungi admin humas dengan kode galat ini.",
		"Unknown platform error; contact the humas admin with this error code."},
	ActionPolicyBlock: {"Meta membatasi aktivitas akun ini (perlindungan dari spam). humas tidak mengulang otomatis: periksa pemberitahuan di Meta Business Suite / aplikasi Instagram, ajukan keberatan bila keliru, lalu jadwalkan ulang kiriman setelah pembatasan dicabut.",
		"Meta restricts this account's activity (spam protection). humas does not retry by itself: check the notice in Meta Business Suite or the Instagram app, appeal if it is a mistake, then schedule the post again once the restriction is lifted."},
	ActionPostingBlocked: {"Meta memblokir sementara kanal ini karena dianggap mengirim terlalu cepat. humas menjeda kanal beberapa jam dan tidak mengulang kiriman ini: kurangi frekuensi posting, lalu jadwalkan ulang setelah jeda berakhir.",
		"Meta temporarily blocked this channel for posting too fast. humas pauses the channel for hours and does not retry this post: post less often, then schedule it again after the pause."},
	ActionHeldLimit: {"Batas jumlah posting Instagram per 24 jam tercapai; kiriman ditahan dan dikirim otomatis setelah batas direset. Tidak perlu tindakan.",
		"Instagram's limit of posts per 24 hours is reached; the post is held and sent by itself once the limit resets. Nothing to do."},
}

// actionText returns what to do (Bahasa Indonesia, English) for a key.
func actionText(key string) (id, en string) {
	if a, ok := actions[key]; ok {
		return a[0], a[1]
	}
	return "", ""
}
