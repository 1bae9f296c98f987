"""Citizens' Q&A under /api/v1/ on province hosts; included by the tenant API URLconf."""

from django.urls import path

from api.v1 import qa

urlpatterns = [
    path("qa/questions/", qa.QuestionSubmitView.as_view(), name="qa-question-submit"),
    path("qa/track/<str:code>/", qa.QuestionTrackView.as_view(), name="qa-question-track"),
    path("qa/answered/", qa.AnsweredListView.as_view(), name="qa-answered"),
    path("qa/topics/", qa.TopicListView.as_view(), name="qa-topics"),
    path("qa/export/", qa.AskerExportView.as_view(), name="qa-export"),
    path("qa/inbox/", qa.InboxView.as_view(), name="qa-inbox"),
    path("qa/questions/<int:question_id>/", qa.QuestionStaffView.as_view(), name="qa-question"),
    path(
        "qa/questions/<int:question_id>/events/",
        qa.QuestionEventsView.as_view(),
        name="qa-question-events",
    ),
    path(
        "qa/questions/<int:question_id>/reassign/",
        qa.QuestionReassignView.as_view(),
        name="qa-question-reassign",
    ),
    path(
        "qa/questions/<int:question_id>/kind/",
        qa.QuestionKindView.as_view(),
        name="qa-question-kind",
    ),
    path(
        "qa/questions/<int:question_id>/publish/",
        qa.QuestionPublishView.as_view(),
        name="qa-question-publish",
    ),
    path(
        "qa/questions/<int:question_id>/appointment/",
        qa.QuestionAppointmentView.as_view(),
        name="qa-question-appointment",
    ),
    path(
        "qa/questions/<int:question_id>/progress/",
        qa.QuestionProgressView.as_view(),
        name="qa-question-progress",
    ),
    path(
        "qa/questions/<int:question_id>/return/",
        qa.QuestionReturnView.as_view(),
        name="qa-question-return",
    ),
    path(
        "qa/questions/<int:question_id>/moderation/",
        qa.QuestionModerationView.as_view(),
        name="qa-question-moderation",
    ),
    path(
        "qa/questions/<int:question_id>/answers/",
        qa.AnswerDraftView.as_view(),
        name="qa-answer-draft",
    ),
    path(
        "qa/questions/<int:question_id>/answers/<int:answer_id>/return/",
        qa.AnswerReturnView.as_view(),
        name="qa-answer-return",
    ),
    path(
        "qa/questions/<int:question_id>/answer/",
        qa.QuestionAnswerView.as_view(),
        name="qa-question-answer",
    ),
    path(
        "qa/questions/<int:question_id>/result/",
        qa.ComplaintResultView.as_view(),
        name="qa-complaint-result",
    ),
]
