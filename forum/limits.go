package forum

import "time"

// HumanDuration words a wait for a person: "40 seconds", "3 minutes". Other packages'
// refusals (the moderation package's rate limits) word their waits the same way.
func HumanDuration(d time.Duration) string { return humanDuration(d) }
