package sqlite

import (
	"math/rand/v2"
	"strings"
)

// benchWords is the generator's vocabulary, roughly in order of how often teachers use the
// words: a Zipf draw over it gives the few very common words and the long tail that real
// text has, so that searches of generated data meet both (identical text in every post
// would make every word match everything).
var benchWords = strings.Fields(`
	students class teacher school grade classroom lesson time year help work reading
	math writing group team practice feedback plan question learning assessment unit
	parents week day kids rubric project skills support science week homework data
	strategy grading standards goal behavior discussion vocabulary text test quiz
	routine model small coach principal district curriculum notebook station partner
	writing essay paragraph evidence argument claim reasoning fraction ratio equation
	graph algebra geometry number sense fluency phonics comprehension novel poetry
	history civics geography lab experiment hypothesis ecosystem energy chemistry
	physics biology coding robotics art music spanish french ell iep accommodation
	intervention tier screener benchmark progress monitoring conference portfolio
	reflection exit ticket warmup bellringer choice board jigsaw seminar socratic
	inquiry phenomenon modeling manipulatives number talks retrieval spacing
	interleaving mastery reassessment retake late work extension deadline attendance
	engagement motivation belonging relationships restorative circle detention
	referral consequence transition hallway cafeteria recess dismissal substitute
	coverage planning period collaboration pd workshop cohort mentor induction
	observation evaluation walkthrough instructional rounds protocol norms agenda
	minutes meeting survey family newsletter translation interpreter conference
	schedule block rotation advisory homeroom elective pathway credit transcript
	graduation counselor college career internship apprenticeship dual enrollment
	chromebook ipad device login password platform gradebook lms canvas schoology
	google classroom slides docs sheets spreadsheet template printable worksheet
	anchor chart word wall library leveled decodable guided independent shared
	aloud think pair share turn talk stop jot annotate summarize infer predict
	question visualize connect monitor clarify evaluate synthesize cite explain
	justify compare contrast sequence cause effect main idea theme character
	setting plot conflict resolution narrative informational opinion persuasive
	research source citation plagiarism draft revise edit publish conference
	mentor sentence frame starter stem scaffold gradual release differentiation
	enrichment acceleration gifted struggling reluctant reader writer newcomer
	multilingual bilingual dyslexia adhd autism anxiety trauma wellbeing mindfulness
	calm corner break sensory fidget seating chart desk layout flexible cafe
	rural suburban urban charter magnet montessori elementary middle high kindergarten
	preschool primary secondary freshman sophomore junior senior sixth seventh eighth
	ninth tenth eleventh twelfth first second third fourth fifth semester quarter
	trimester summer winter spring fall break snow day budget grant funding supplies
	copier paper laminator stapler markers calculator desmos geogebra khan quizlet
	kahoot nearpod peardeck padlet flipgrid seesaw classdojo remind bookcreator
	standards-based sbg competency proficiency mastery-based ungrading points
	percentage weighting category average median mode late-policy zero minimum
	curve bonus extra credit participation effort citizenship comment report card
	café résumé naïve façade coördinate`)

// benchFiller are the short words between the vocabulary's, so sentences read as text.
var benchFiller = strings.Fields(`the a to and of in for with on how do we our my is are what when should
	about that this it from at by or can you your their them`)

// benchText draws n words: mostly vocabulary (Zipf), some filler.
type benchText struct {
	rng  *rand.Rand
	zipf *rand.Zipf
}

func newBenchText(rng *rand.Rand) *benchText {
	return &benchText{rng: rng, zipf: rand.NewZipf(rng, 1.07, 3, uint64(len(benchWords)-1))}
}

func (b *benchText) words(sb *strings.Builder, n int) {
	for i := range n {
		if i > 0 {
			sb.WriteByte(' ')
		}
		if b.rng.IntN(3) == 0 {
			sb.WriteString(benchFiller[b.rng.IntN(len(benchFiller))])
		} else {
			sb.WriteString(benchWords[b.zipf.Uint64()])
		}
	}
}

// title is a question title of 6 to 12 words.
func (b *benchText) title() string {
	var sb strings.Builder
	sb.WriteString("How do you ")
	b.words(&sb, 4+b.rng.IntN(7))
	sb.WriteByte('?')
	return sb.String()
}

// paragraph is a body of about n words in sentences.
func (b *benchText) paragraph(n int) string {
	var sb strings.Builder
	for sb.Len() < n*6 {
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		b.words(&sb, 6+b.rng.IntN(10))
		sb.WriteByte('.')
	}
	return sb.String()
}
