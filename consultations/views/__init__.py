"""Pages of topics and meetings. Views parse input, call one action and render; the actions
decide what is allowed and what an error says. One module a part: topics, meetings (staff),
meeting_actions (the meeting page's forms), join (the participant's phone), public (notice and
result)."""
