package forum

import (
	"context"
	"fmt"
	"time"
)

// DemoQuestion is a demo question with its answers and comments. Voters are demo
// usernames; Accepted marks the answer the asker accepted.
type DemoQuestion struct {
	Asker, Title, Body string
	Tags               []string
	HoursAgo           int
	Voters             []string
	Answers            []DemoAnswer
	Comments           []DemoComment
}

// DemoAnswer is an answer in the demo.
type DemoAnswer struct {
	Author, Body string
	Voters       []string
	Downvoters   []string
	Accepted     bool
	Comments     []DemoComment
}

// DemoComment is a comment; Replies nest under it.
type DemoComment struct {
	Author, Body string
	Replies      []DemoComment
}

// DemoQuestions are the practice questions a new site starts with.
var DemoQuestions = []DemoQuestion{
	{
		Asker: "dokafor", HoursAgo: 200, Tags: []string{"standards-based-grading", "middle-school", "grading"},
		Title: "How do you report standards-based grades to parents who expect letter grades?",
		Body: "Our middle school moved to **standards-based grading** this year (1–4 on each standard). Teachers like it, " +
			"but at conferences parents keep asking *\"so is a 3 a B?\"* and the report card still has to produce a GPA for the high school.\n\n" +
			"How have other districts explained the scale to families, and how do you convert for the transcript without undoing the point of SBG?",
		Voters: []string{"mrivera", "jchen.math", "tkowalski", "aisha_b", "sam.nguyen"},
		Answers: []DemoAnswer{
			{
				Author: "mrivera", Accepted: true,
				Voters: []string{"dokafor", "jchen.math", "tkowalski", "aisha_b", "pwhitfield", "coach_ben", "hmorrison"},
				Body: "We stopped trying to make the numbers look like letters. Three things helped at Riverside:\n\n" +
					"1. **A one-page family guide** sent home in September: each level described in plain words " +
					"(*3 = meets the standard on its own*), with a sample of student work at each level.\n" +
					"2. **Conference talking points** for every teacher, so families hear the same explanation in every room.\n" +
					"3. **A published conversion table**, used only for the transcript:\n\n" +
					"| Average of recent evidence | Transcript grade |\n|---|---|\n| 3.5 – 4.0 | A |\n| 2.8 – 3.4 | B |\n| 2.0 – 2.7 | C |\n| below 2.0 | support plan |\n\n" +
					"Use the *most recent* evidence per standard, not the average of the whole term, or you are back to traditional grading.",
				Comments: []DemoComment{
					{Author: "dokafor", Body: "The family guide is a great idea. Did you translate it for your multilingual families?",
						Replies: []DemoComment{{Author: "mrivera", Body: "Yes, into Spanish and Vietnamese; our ELL coordinator reviewed the wording."}}},
				},
			},
			{
				Author: "tkowalski", Voters: []string{"sam.nguyen", "dokafor"},
				Body: "North Prairie ran two parent nights before the switch and recorded them for families who could not come. " +
					"The biggest win was showing the **gradebook view parents see**, with the standard's wording next to each score.",
			},
		},
		Comments: []DemoComment{{Author: "jchen.math", Body: "Following this one; our district votes on SBG next spring."}},
	},
	{
		Asker: "sam.nguyen", HoursAgo: 150, Tags: []string{"1-to-1-devices", "classroom-management"},
		Title: "What device routines keep a 1:1 Chromebook classroom on task?",
		Body: "First year with a cart of Chromebooks in every 7th-grade room. Start of class takes ten minutes, " +
			"and half the class has 20 tabs open by the end of it. What routines or settings actually work for you?",
		Voters: []string{"hmorrison", "olu.cs", "rfitzgerald"},
		Answers: []DemoAnswer{
			{
				Author: "hmorrison", Accepted: true, Voters: []string{"sam.nguyen", "olu.cs", "rfitzgerald", "kyamamoto"},
				Body: "Routines that stuck in our building:\n\n- **Lids at 45°** when I am talking; screens down means eyes up.\n" +
					"- Numbered cart slots matched to seats, so pickup and return take under two minutes.\n" +
					"- A *\"close all tabs\"* bell at the start of each activity.\n\n" +
					"Settings matter less than consistency: pick three routines and practice them for two weeks.",
				Comments: []DemoComment{{Author: "sam.nguyen", Body: "Lids at 45 degrees is brilliant, trying it tomorrow."}},
			},
			{
				Author: "olu.cs", Voters: []string{"hmorrison"},
				Body: "If your district allows it, classroom management software that shows all screens helps for the first month. " +
					"Tell students it is on; most of the effect is knowing someone can see.",
			},
		},
	},
	{
		Asker: "kyamamoto", HoursAgo: 96, Tags: []string{"ell", "science", "scaffolding"},
		Title: "Which scaffolds help newcomer English learners write lab reports?",
		Body: "I teach 8th-grade science with four newcomers this year (Spanish, Dari and Ukrainian speakers). " +
			"They understand the labs but freeze at the written report. Which scaffolds have worked without watering the science down?",
		Voters: []string{"lgarcia-ell", "aisha_b"},
		Answers: []DemoAnswer{
			{
				Author: "lgarcia-ell", Accepted: true, Voters: []string{"kyamamoto", "aisha_b", "mrivera", "elena.p"},
				Body: "Keep the science demanding and scaffold the *language*:\n\n" +
					"- **Sentence frames** per section: *\"When we increased ___, the ___ changed by ___.\"*\n" +
					"- A **word wall** with pictures for the lab's key nouns and verbs.\n" +
					"- Let students **draft in their first language**, then translate with a partner.\n" +
					"- Grade the claim, evidence and reasoning separately from grammar.",
				Comments: []DemoComment{{Author: "kyamamoto", Body: "Drafting in the first language first is something I had not considered. Thank you!"}},
			},
		},
	},
	{
		Asker: "coach_ben", HoursAgo: 40, Tags: []string{"computational-thinking", "elementary"},
		Title: "How can elementary teachers bring in computational thinking without computers?",
		Body: "Our K–5 teachers are asked to include computational thinking, but many rooms have no devices and the schedule is full. " +
			"What unplugged activities fit inside math or literacy time?",
		Voters: []string{"olu.cs", "pwhitfield"},
		Answers: []DemoAnswer{
			{
				Author: "olu.cs", Voters: []string{"coach_ben", "pwhitfield", "jchen.math"},
				Body: "Unplugged activities that live inside existing lessons:\n\n" +
					"- **Algorithms**: students write step-by-step directions for a partner to draw a shape; bugs become the discussion.\n" +
					"- **Patterns and decomposition** in math: break a word problem into steps before solving.\n" +
					"- **Sorting** with a deck of number cards, timing different strategies.\n\n" +
					"Name the thinking skill out loud each time, so it transfers later to programming.",
			},
			{
				Author: "elena.p", Voters: []string{"coach_ben"},
				Body: "In literacy we diagram story plots as flowcharts with *if/then* branches for choose-your-own-adventure writing. " +
					"Students love it and it is sequencing practice anyway.",
			},
		},
	},
	{
		Asker: "pwhitfield", HoursAgo: 6, Tags: []string{"budgeting", "pilots", "devices"},
		Title: "What should a small district budget for beyond the devices in a tech pilot?",
		Body: "We have a grant for a 60-student device pilot next year. The quote covers devices and cases. " +
			"What costs did your district miss the first time (training, insurance, licenses, staff time)?",
		Voters: []string{"tkowalski"},
		Answers: []DemoAnswer{
			{
				Author: "tkowalski", Voters: []string{"pwhitfield"},
				Body: "Things we under-budgeted:\n\n1. **Teacher release time** for training, the biggest one.\n" +
					"2. **Spare devices**, about 10%, so repairs do not stop learning.\n3. Software **licenses beyond year one**.\n" +
					"4. Charging carts and the electrician to install outlets.",
			},
		},
	},
}

// SeedDemoQuestions posts the demo questions through the real write paths, so every score,
// count and reputation is what the same clicks would have produced.
func SeedDemoQuestions(ctx context.Context, users UserStore, posts PostStore, render Renderer, now time.Time) error {
	ids := map[string]int64{}
	id := func(username string) (int64, error) {
		if v, ok := ids[username]; ok {
			return v, nil
		}
		u, err := users.UserByLogin(ctx, username)
		if err != nil {
			return 0, fmt.Errorf("demo person %s: %w", username, err)
		}
		ids[username] = u.ID
		return u.ID, nil
	}
	rules := VoteRules{DailyRepCap: DefaultDailyRepCap}
	for _, dq := range DemoQuestions {
		at := now.Add(-time.Duration(dq.HoursAgo) * time.Hour)
		asker, err := id(dq.Asker)
		if err != nil {
			return err
		}
		html, err := render.Body(dq.Body)
		if err != nil {
			return err
		}
		q, err := posts.CreateQuestion(ctx, NewQuestion{AuthorID: asker, Title: dq.Title, Body: dq.Body, BodyHTML: html, Tags: dq.Tags, Now: at})
		if err != nil {
			return fmt.Errorf("demo question %q: %w", dq.Title, err)
		}
		if err := seedVotes(ctx, posts, id, q.ID, dq.Voters, 1, rules, at); err != nil {
			return err
		}
		if err := seedComments(ctx, posts, render, id, q.ID, 0, dq.Comments, at); err != nil {
			return err
		}
		for i, da := range dq.Answers {
			aAt := at.Add(time.Duration(i+1) * 47 * time.Minute)
			author, err := id(da.Author)
			if err != nil {
				return err
			}
			html, err := render.Body(da.Body)
			if err != nil {
				return err
			}
			a, err := posts.CreateAnswer(ctx, NewAnswer{QuestionID: q.ID, AuthorID: author, Body: da.Body, BodyHTML: html, Now: aAt})
			if err != nil {
				return fmt.Errorf("demo answer to %q: %w", dq.Title, err)
			}
			if err := seedVotes(ctx, posts, id, a.ID, da.Voters, 1, rules, aAt); err != nil {
				return err
			}
			if err := seedVotes(ctx, posts, id, a.ID, da.Downvoters, -1, rules, aAt); err != nil {
				return err
			}
			if err := seedComments(ctx, posts, render, id, a.ID, 0, da.Comments, aAt); err != nil {
				return err
			}
			if da.Accepted {
				if _, err := posts.Accept(ctx, a.ID, asker, aAt.Add(time.Hour)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func seedVotes(ctx context.Context, posts PostStore, id func(string) (int64, error), postID int64, voters []string, value int, rules VoteRules, at time.Time) error {
	for i, v := range voters {
		uid, err := id(v)
		if err != nil {
			return err
		}
		if _, err := posts.Vote(ctx, postID, uid, value, rules, at.Add(time.Duration(i+1)*13*time.Minute)); err != nil {
			return fmt.Errorf("demo vote by %s: %w", v, err)
		}
	}
	return nil
}

func seedComments(ctx context.Context, posts PostStore, render Renderer, id func(string) (int64, error), postID, parentID int64, cs []DemoComment, at time.Time) error {
	for i, dc := range cs {
		uid, err := id(dc.Author)
		if err != nil {
			return err
		}
		html, err := render.Comment(dc.Body)
		if err != nil {
			return err
		}
		c, err := posts.CreateComment(ctx, NewComment{PostID: postID, ParentID: parentID, AuthorID: uid, Body: dc.Body, BodyHTML: html,
			Now: at.Add(time.Duration(i+1) * 21 * time.Minute)})
		if err != nil {
			return fmt.Errorf("demo comment by %s: %w", dc.Author, err)
		}
		if err := seedComments(ctx, posts, render, id, postID, c.ID, dc.Replies, c.CreatedAt); err != nil {
			return err
		}
	}
	return nil
}
