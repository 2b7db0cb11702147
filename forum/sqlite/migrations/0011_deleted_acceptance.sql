-- An accepted answer that is deleted gives back its acceptance and the reputation that came
-- with it; undeleting it must restore exactly that, so the acceptance it lost is kept here.
ALTER TABLE posts ADD COLUMN accepted_when_deleted INTEGER NOT NULL DEFAULT 0;
