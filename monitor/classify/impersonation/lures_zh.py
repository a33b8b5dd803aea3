"""Chinese scam patterns on simplified text: fake customer-service
scripts, profit and giveaway lures."""

from __future__ import annotations

from monitor.classify.impersonation.rule import ASKS_TO_DM, Rule

# A clause: what sits between two of these marks belongs to one sentence.
_CLAUSE = r"[^，。！？；,.!?;\n]"
_SENTENCE = r"[^。！？；.!?;\n]"  # commas allowed
_STAFF = r"(?:客服|客户服务|工作人员|专员|客户经理|官方人员|技术支持|理赔员|审核员|风控|代表)"
_HOLDINGS = r"(?:账户|账号|钱包|资金|资产|银行卡|征信|信用|额度)"
_CODES = (
    r"(?:验证码|动态码|校验码|支付密码|交易密码|登录密码|资金密码|密码|银行卡号|卡号|cvv|身份证号)"
)
_SECRETS = rf"(?:助记词|私钥|密钥|恢复短语|{_CODES})"
# 私信/私聊 ("DM") invite only as a request: 私信我, 请私聊, a closing 私聊. Users warn and report
# with the same words (假客服私聊要助记词, 官方不会私信你, 有人加我说是客服), and 隐私信息 ("private
# information") holds 私信; a third party before 私信我/加我/联系我 makes it a report.
_THEY = r"(?<![人他她们服子隐自])"
_DM_ZH = (
    rf"{_THEY}私(?:信|聊)?我|(?:请|可以|可|直接|欢迎|速|来|需要的?|有意的?"
    rf"|感兴趣的?){_THEY}私(?:信|聊)"
    rf"|{_THEY}私(?:信|聊)(?:联系|咨询|详谈|了解|领取|获取|客服)|{_THEY}私(?:信"
    r"|聊)\s{0,2}[!！~～。]?\s{0,2}$"
    rf"|{_THEY}联系我(?!们)|{_THEY}加我"
)

LURES_ZH: tuple[Rule, ...] = (
    Rule("offplatform_contact", 0.3, ASKS_TO_DM, _DM_ZH),
    # A stranger saying they are staff is the impersonation itself; the
    # brand's accounts never get here.
    Rule(
        "fake_support_reply",
        0.45,
        "claims to be customer service or staff",
        rf"(?:我是|我们是|这里是|本人是){_CLAUSE}{{0,15}}?{_STAFF}",
    ),
    # "Your" account, as scripts address the victim; users describing their own account say 我的.
    # Not an offer of help (a fan explaining a freeze writes this
    # too), so a reply does not raise it.
    Rule(
        "scam_lure",
        0.35,
        "says your account or funds are at risk",
        (
            rf"(?:您|你)的{_HOLDINGS}{_CLAUSE}{{0,15}}(?:异常|风险|风控|冻结|违规|被盗|受损|不良"
            r"|注销|限制|封禁)"
        ),
    ),
    # Typing a code into the app is what users do themselves (输入), so only handing it over counts.
    # 别 ("don't") is checked right before the verb: as a warning
    # word it would also hit 特别 or 别人.
    Rule(
        "credential_request",
        0.8,
        "asks for a seed phrase, key, code, password or card number",
        (
            r"(?<!别)(?:提供|告诉|告知|发送|发给|报一下|报给|念一下|说出"
            rf"|给我){_CLAUSE}{{0,10}}{_CODES}"
            # the 把 form puts the secret first: 把助记词发给我
            rf"|(?<!别)[把将]{_CLAUSE}{{0,6}}{_SECRETS}{_CLAUSE}{{0,6}}(?:发给|发送|发到|告诉"
            r"|给我|提供|报给)"
        ),
        True,
    ),
    # Fake support takes over the phone through a meeting or remote-control app; 萤幕 is Taiwan's
    # 屏幕 after folding.
    Rule(
        "scam_lure",
        0.55,
        "asks to share the screen or install a remote-control or meeting app",
        (
            r"(?:屏幕|萤幕|荧幕)共享|共享(?:屏幕|萤幕|荧幕)|开启共享|投屏|远程(?:控制|协助|操作)"
            r"|腾讯会议|会议号|视频会议|视频通话|视频电话"
            rf"|(?:下载|安装|打开){_CLAUSE}{{0,8}}(?:zoom|会议|anydesk|teamviewer|todesk|向日葵)"
        ),
    ),
    # A stranger paying out is the bait that makes the rest (an app,
    # a code, a transfer) look routine.
    Rule(
        "fake_support_reply",
        0.35,
        "offers you a refund or compensation",
        (
            rf"(?:为您|给您|向您|帮您)(?:办理|提供|进行|申请)?{_CLAUSE}{{0,8}}(?:赔偿|理赔|补偿"
            r"|赔付|退款)"
        ),
    ),
    # Users mention the apps they installed (我下载了, 下载后, 没有下载); being told
    # to install one is the step scripts add.
    Rule(
        "scam_lure",
        0.35,
        "tells you to install an app",
        (
            rf"(?<![我已有未])(?:下载|安装)(?![了后完]){_CLAUSE}{{0,12}}(?:app|软件|应用|客户端"
            r"|程序)(?![了后])"
        ),
    ),
    # Scripts wrap each step in the victim's safety; like the rule above it is no offer of help.
    Rule(
        "scam_lure",
        0.3,
        "says it acts for the safety of your funds",
        r"为了(?:确保|保障|保护|保证)?(?:您|你)的(?:资金|账户|账号|财产|资产)安全",
    ),
    Rule(
        "offplatform_contact",
        0.3,
        "asks to scan a QR code or add a QQ account",
        (
            rf"扫描{_CLAUSE}{{0,6}}二维码|扫码(?:添加|加|进群|联系)|(?:添加|加)(?:我们的"
            rf"|我的)?{_CLAUSE}{{0,6}}qq|qq(?:号|群)"
        ),
    ),
    # Fees alone are an ordinary question (提现需要手续费吗); paying to
    # unfreeze or to be allowed out is not.
    Rule(
        "scam_lure",
        0.55,
        "asks to move money to a 'safe account' or pay to unlock funds",
        (
            r"安全账户|安全账号|刷流水|(?:转账|转入|汇入|转到"
            rf"|打到){_CLAUSE}{{0,12}}指定的?(?:账户|账号|银行卡|钱包|地址)"
            rf"|指定的?(?:账户|账号|银行卡|钱包|地址){_CLAUSE}{{0,6}}(?:转账|转入|汇入)"
            rf"|(?:转账|转入|汇入|转到|转至|打到){_CLAUSE}{{0,8}}(?:工作人员|我们|我方"
            r"|客服)的?(?:账户|账号|银行卡)"
            rf"|(?:缴纳|支付|交|转){_CLAUSE}{{0,6}}(?:保证金|解冻金|解冻费|激活费"
            rf"|认证费)(?!{_CLAUSE}{{0,4}}(?:吗|么|\?|？))"
            rf"|解冻{_CLAUSE}{{0,10}}(?:需要|先|必须){_CLAUSE}{{0,6}}(?:缴纳|支付|充值|交|转)"
            rf"|(?:提现|出金){_CLAUSE}{{0,10}}(?:先|必须){_CLAUSE}{{0,6}}(?:缴纳|充值)"
        ),
    ),
    # The "opened by mistake" script: staff say an error made you a member, agent
    # or borrower, and that it costs you monthly or hurts your credit record
    # unless you follow their steps to cancel it.
    Rule(
        "scam_lure",
        0.35,
        "says a paid service was opened on your account by mistake",
        (
            rf"(?:误|失误|错误|不小心){_CLAUSE}{{0,20}}(?:开通|升级|成为|设置|绑定|注册|选为|变成"
            r"|转换)(?:了|为|成)?"
            rf"{_CLAUSE}{{0,10}}(?:会员|代理|服务|业务|贷款|商家|vip)"
        ),
    ),
    # Questions about credit (会影响征信吗) are ordinary; the threat
    # "unless you act" is the script's.
    Rule(
        "scam_lure",
        0.35,
        "threatens your credit record or monthly charges unless you act",
        (
            rf"(?:否则|如果不|若不|不及时|不然|如不){_SENTENCE}{{0,25}}(?:征信|信用记录|信用报告"
            r"|扣费|扣款|扣钱|扣除)"
            rf"(?!{_CLAUSE}{{0,6}}(?:吗|么|\?|？))"
        ),
    ),
    # Chinese versions of the English profit and signal-group lures in lures.py. A daily yield alone
    # (余币宝日收益1%) is how the exchange's own earn products read; the promise is the scam.
    Rule(
        "scam_lure",
        0.55,
        "promises guaranteed, daily or multiplied profits",
        (
            r"稳赚不赔|保本保息|保本高收益|零风险(?:高)?收益|躺赚|保证(?:每?日|每?月)?(?:收益"
            r"|回报|利润|盈利)|日赚\s?\d"
            r"|(?:收益|回报|利润)(?:高达|翻)\s?\d{2,}\s?(?:%|倍)"
        ),
        True,
    ),
    Rule(
        "scam_lure",
        0.35,
        "sells trading signals or a private trading group",
        r"带单|喊单|内幕消息|(?:vip|会员)(?:群|频道|信号)|(?:进群|拉你进群)",
    ),
    Rule(
        "scam_lure",
        0.55,
        "gives away crypto for follows or reposts",
        (
            rf"(?:送|空投|发放){_CLAUSE}{{0,6}}\d[\d,.]{{0,9}}\s?(?:个)?(?:usdt|btc|eth|bnb"
            rf"|u\b){_CLAUSE}{{0,30}}(?:转发|关注|点赞|评论)"
            r"|(?:转发|关注|点赞)[^。！？\n]{0,30}(?:送"
            rf"|抽){_CLAUSE}{{0,6}}\d[\d,.]{{0,9}}\s?(?:个)?(?:usdt|btc|eth|bnb)"
        ),
    ),
)
