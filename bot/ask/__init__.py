"""One pipeline for a periodic question to the owners of objectives, parameterised by what is asked.

The monthly check-in (`bot/checkin`) and the year-end hansei (`bot/hansei`) are two uses of it:
1. when: the asking time and timezones (`timing`);
2. prompt: who is asked, one prompt row of a kind and period per owner, written with its DM in
   one transaction (`queue`; the rows are `storage/prompts.py`'s);
3. modal and answer: only the owner answers, once per submitted view (`answers`);
4. remind and escalate: one reminder, one note to the manager, never twice in a day (`reminders`);
5. close: a prompt whose every objective is answered is marked answered.
The builders' shared pieces are in `blocks` (taking `model`).
"""
