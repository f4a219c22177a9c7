"""民事民提 intake: a concern comes in and is grouped with the open issue it describes.

- `submit.py`: validation and the orchestration of one submit (a typed Submission);
- `store.py`: every statement of the intake, the resident-counting and urgent-deadline rules,
  the term index and the districts' term counts, staff's labelled pairs;
- `model.py`: the grouping model (read a text, its keys, the probability of one matter);
- `evidence.py`: the features the model weighs.
"""
