from django.urls import path
from django.views.generic import RedirectView

from arrival.accounts import views

app_name = "accounts"
urlpatterns = [
    # The README's address for accounts: one's own page (signing in first when needed).
    path("", RedirectView.as_view(pattern_name="accounts:me"), name="index"),
    path("signup/", views.signup, name="signup"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("login/code/", views.login_otp, name="login_otp"),
    path("logout/", views.logout, name="logout"),
    path("me/", views.me, name="me"),
    path("me/profile/", views.profile_edit, name="profile_edit"),
    path("me/data/", views.my_data, name="my_data"),
    path("me/data/download/", views.my_data_download, name="my_data_download"),
    path("me/delete/", views.delete_account, name="delete_account"),
    path("me/password/", views.password_change, name="password_change"),
    path("me/tokens/", views.token_create, name="token_create"),
    path("me/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("me/second-factor/", views.otp_enrol, name="otp_enrol"),
    path("me/second-factor/remove/", views.otp_remove, name="otp_remove"),
    path("roles/request/", views.role_request, name="role_request"),
    path("roles/requests/<int:request_id>/withdraw/", views.role_request_withdraw, name="role_request_withdraw"),
    path("roles/<int:role_id>/end/", views.role_end, name="role_end"),
    path("requests/", views.request_queue, name="request_queue"),
    path("requests/<int:request_id>/decide/", views.request_decide, name="request_decide"),
    path("team/<slug:slug>/", views.team, name="team"),
    path("invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("password-reset/done/", views.password_reset_complete, name="password_reset_complete"),
]
